package io.archiver.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One configuration key, defined once: its name, type and range, default (and how the reference
 * words it), whether it is a secret, which roles read it and one line of documentation. Each module
 * declares its keys next to the code that uses them (a {@link SettingGroup}), and its settings
 * records read values through them, so that name, default and range live in one place.
 *
 * <p>Immutable: the {@code with...} methods return a copy.
 */
public final class Setting<T> {

    private final String name;
    private final SettingType<T> type;
    private final Set<Role> roles;
    private final Function<Config, T> defaultValue;
    private final boolean fixedDefault;
    private final String defaultText;
    private final boolean required;
    private final String doc;
    private final Predicate<T> check;
    private final String checkText;

    private Setting(String name, SettingType<T> type, Set<Role> roles, Function<Config, T> defaultValue, boolean fixedDefault,
                    String defaultText, boolean required, String doc, Predicate<T> check, String checkText) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
        this.defaultValue = defaultValue;
        this.fixedDefault = fixedDefault;
        this.defaultText = defaultText;
        this.required = required;
        this.doc = doc;
        this.check = check;
        this.checkText = checkText;
    }

    public static <T> Setting<T> of(String name, SettingType<T> type, Role... roles) {
        return new Setting<>(name, type, roles.length == 0 ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(List.of(roles)),
                null, false, "", false, "", null, null);
    }

    public static Setting<String> string(String name, Role... roles) {
        return of(name, SettingType.string(), roles);
    }

    public static Setting<String> secret(String name, Role... roles) {
        return of(name, SettingType.secretText(), roles);
    }

    public static Setting<Integer> integer(String name, int min, int max, Role... roles) {
        return of(name, SettingType.integer(min, max), roles);
    }

    public static Setting<Boolean> bool(String name, Role... roles) {
        return of(name, SettingType.bool(), roles);
    }

    public static Setting<Long> bytes(String name, long min, long max, Role... roles) {
        return of(name, SettingType.bytes(min, max), roles);
    }

    public static Setting<Duration> duration(String name, Duration min, Duration max, Role... roles) {
        return of(name, SettingType.duration(min, max), roles);
    }

    public static Setting<List<String>> list(String name, Role... roles) {
        return of(name, SettingType.list(), roles);
    }

    public static Setting<Path> path(String name, Role... roles) {
        return of(name, SettingType.path(), roles);
    }

    public static Setting<String> choice(String name, List<String> choices, Role... roles) {
        return of(name, SettingType.choice(choices.toArray(String[]::new)), roles);
    }

    /** The default value; the reference shows it formatted. */
    public Setting<T> withDefault(T value) {
        Objects.requireNonNull(value, "default of " + name);
        return new Setting<>(name, type, roles, c -> value, true, type.format(value), false, doc, check, checkText);
    }

    /** A default computed when read (the host name), worded {@code text} in the reference. */
    public Setting<T> withDefault(Supplier<T> value, String text) {
        return new Setting<>(name, type, roles, c -> value.get(), false, text, false, doc, check, checkText);
    }

    /** A default that follows other settings ({@code amqp.host}: the {@code http.host}), worded {@code text} in the reference. */
    public Setting<T> withDerivedDefault(Function<Config, T> value, String text) {
        return new Setting<>(name, type, roles, value, false, text, false, doc, check, checkText);
    }

    /** No default, and none needed: the reference words what happens without it ("none: ..."). */
    public Setting<T> withNoDefault(String text) {
        return new Setting<>(name, type, roles, null, false, text, false, doc, check, checkText);
    }

    public Setting<T> withRequired() {
        return new Setting<>(name, type, roles, null, false, "(required)", true, doc, check, checkText);
    }

    public Setting<T> withDoc(String text) {
        return new Setting<>(name, type, roles, defaultValue, fixedDefault, defaultText, required, text, check, checkText);
    }

    /** A further check of a parsed value ({@code expected} completes "is not valid: expected ..."). */
    public Setting<T> withCheck(Predicate<T> valid, String expected) {
        return new Setting<>(name, type, roles, defaultValue, fixedDefault, defaultText, required, doc, valid, expected);
    }

    public String name() {
        return name;
    }

    public SettingType<T> type() {
        return type;
    }

    public Set<Role> roles() {
        return roles;
    }

    public boolean readBy(Role role) {
        return roles.contains(role);
    }

    public boolean secret() {
        return type.secret();
    }

    public boolean required() {
        return required;
    }

    /** As the reference shows it: {@code 8081}, {@code the host name}, {@code (required)}. */
    public String defaultText() {
        return defaultText;
    }

    public String doc() {
        return doc;
    }

    /** The environment variable that overrides this key ({@link Config#environmentName}). */
    public String environmentName() {
        return Config.environmentName(name);
    }

    /** For a secret: the key naming a file that holds it ({@code db.passwordFile}). */
    public Optional<String> fileKey() {
        return secret() ? Optional.of(name + "File") : Optional.empty();
    }

    /** The value set (file, environment, or for a secret its {@code <key>File}), checked; empty when not set. */
    public Optional<T> find(Config config) {
        Optional<String> raw = secret() ? config.secret(name) : config.find(name);
        Optional<String> text = raw.map(String::strip).filter(v -> !v.isEmpty());
        if (text.isEmpty()) {
            return Optional.empty();
        }
        T value = type.parse(text.get()).orElseThrow(() -> invalid(text.get(), type.expected()));
        if (check != null && !check.test(value)) {
            throw invalid(text.get(), checkText);
        }
        return Optional.of(value);
    }

    /** The value set, else the default; a required key that is not set is an error naming where to set it. */
    public T get(Config config) {
        Optional<T> value = find(config);
        if (value.isPresent()) {
            return value.get();
        }
        if (defaultValue != null) {
            return defaultValue.apply(config);
        }
        throw config.missing(name);
    }

    /** Whether the default is one value, the same for every configuration (not the host name, not another key's). */
    public boolean hasFixedDefault() {
        return fixedDefault;
    }

    /** Whether the key has a default at all (fixed, computed or derived). */
    public boolean hasDefault() {
        return defaultValue != null;
    }

    private ConfigException invalid(String value, String expected) {
        String shown = secret() ? "****" : "'" + value + "'";
        String withDefault = defaultValue != null && !secret() ? " (default " + defaultText + ")" : "";
        return new ConfigException("setting " + name + " = " + shown + " is not valid: expected " + expected + withDefault);
    }

    @Override
    public String toString() {
        return name;
    }
}
