package io.archiver.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration of one role: a properties or YAML file whose every key can be overridden by an
 * environment variable {@code ARCHIVER_<KEY_UPPER_SNAKE>} ({@code db.url} -> {@code ARCHIVER_DB_URL},
 * {@code spool.maxBytes} -> {@code ARCHIVER_SPOOL_MAX_BYTES}). Values are read typed, with the key in
 * every error message. Secrets may instead come from a file named by {@code <key>File}.
 *
 * <p>Strict: every key of the file and every {@code ARCHIVER_*} variable (but the launcher's own,
 * {@link Catalog#LAUNCHER_VARIABLES}) must be a known key ({@link Catalog}) of the role, or the
 * configuration is refused with a {@link ConfigException} naming the key and the key meant. Without a
 * role (the lab's and tests' {@code Config.of}) a key of either role goes.
 */
public final class Config {

    private static final Pattern SIZE = Pattern.compile("(?i)\\s*(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\\s*");
    private static final Pattern DURATION = Pattern.compile("(?i)\\s*(\\d+)\\s*(ms|s|m|h|d)\\s*");

    private final Map<String, String> values;
    private final Map<String, String> environment;
    private final String source;
    private final Role role;

    private Config(Map<String, String> values, Map<String, String> environment, String source, Catalog catalog, Role role) {
        catalog.check(values, environment, role, source);
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.environment = Map.copyOf(environment);
        this.source = source;
        this.role = role;
    }

    /** Reads a {@code .properties}, {@code .yml} or {@code .yaml} file of {@code role}, with the process environment on top. */
    public static Config load(Path file, Role role) {
        return load(file, role, System.getenv());
    }

    public static Config load(Path file, Role role, Map<String, String> environment) {
        return load(file, environment, Catalog.installed(), role);
    }

    /** A file of either role (checked against the keys of both). */
    public static Config load(Path file) {
        return load(file, System.getenv());
    }

    public static Config load(Path file, Map<String, String> environment) {
        return load(file, environment, Catalog.installed(), null);
    }

    /** The general form: {@code catalog} the known keys, {@code role} who reads them (null: either). */
    public static Config load(Path file, Map<String, String> environment, Catalog catalog, Role role) {
        return new Config(readFile(file), environment, file.toString(), catalog, role);
    }

    /** The keys and values of a {@code .properties} or YAML file, unchecked (to tell its role). */
    public static Map<String, String> readFile(Path file) {
        try {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            return name.endsWith(".yml") || name.endsWith(".yaml") ? readYaml(file) : readProperties(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Values given in code (the lab, tests), with the process environment on top; keys of either role. */
    public static Config of(Map<String, String> values) {
        return of(values, System.getenv());
    }

    public static Config of(Map<String, String> values, Map<String, String> environment) {
        return of(values, environment, Catalog.installed(), null);
    }

    public static Config of(Map<String, String> values, Map<String, String> environment, Catalog catalog, Role role) {
        return new Config(values, environment, "built-in settings", catalog, role);
    }

    /** Who reads this configuration; empty when the caller did not say. */
    public Optional<Role> role() {
        return Optional.ofNullable(role);
    }

    /** The keys and values of the file (or map), as written; secrets unmasked: never log it. */
    public Map<String, String> fileValues() {
        return values;
    }

    /**
     * Where the value of {@code key} comes from: {@code environment ARCHIVER_X}, the file, or empty
     * when it is not set (the default applies).
     */
    public Optional<String> origin(String key) {
        String variable = environmentName(key);
        if (environment.containsKey(variable)) {
            return Optional.of("environment " + variable);
        }
        return values.containsKey(key) ? Optional.of(source) : Optional.empty();
    }

    ConfigException missing(String key) {
        return new ConfigException("missing required setting " + key + " (set it in " + source + " or in " + environmentName(key) + ")");
    }
    /** The environment variable that overrides {@code key}. */
    public static String environmentName(String key) {
        String snake = key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("[^A-Za-z0-9]+", "_");
        return "ARCHIVER_" + snake.toUpperCase(Locale.ROOT);
    }

    public Optional<String> find(String key) {
        String fromEnvironment = environment.get(environmentName(key));
        if (fromEnvironment != null) {
            return Optional.of(fromEnvironment.trim());
        }
        return Optional.ofNullable(values.get(key)).map(String::trim);
    }

    public String string(String key, String defaultValue) {
        return find(key).filter(v -> !v.isEmpty()).orElse(defaultValue);
    }

    public String required(String key) {
        return find(key).filter(v -> !v.isEmpty()).orElseThrow(() -> missing(key));
    }

    public int integer(String key, int defaultValue) {
        return integer(key, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> value = find(key).filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            return defaultValue;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value.get());
        } catch (NumberFormatException e) {
            throw invalid(key, value.get(), "a whole number");
        }
        if (parsed < min || parsed > max) {
            throw invalid(key, value.get(), "a whole number from " + min + " to " + max);
        }
        return parsed;
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> value = find(key).filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            return defaultValue;
        }
        return parseBoolean(value.get()).orElseThrow(() -> invalid(key, value.get(), "true or false"));
    }

    /** {@code true}, {@code yes}, {@code on} or {@code false}, {@code no}, {@code off} (any case). */
    public static Optional<Boolean> parseBoolean(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> Optional.of(true);
            case "false", "no", "off" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    /** A size: {@code 1048576}, {@code 512MiB}, {@code 1GiB}, {@code 64kb} (binary multiples). */
    public long bytes(String key, long defaultValue) {
        Optional<String> value = find(key).filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            return defaultValue;
        }
        return parseBytes(value.get()).orElseThrow(() -> invalid(key, value.get(), "a size such as 1048576, 512MiB or 1GiB"));
    }

    /** A size: {@code 1048576}, {@code 512MiB}, {@code 1GiB}, {@code 64kb} (binary multiples); empty when not one. */
    public static Optional<Long> parseBytes(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches() || m.group(1).length() > 15) {
            return Optional.empty();
        }
        long number = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        return number > (Long.MAX_VALUE >> shift) ? Optional.empty() : Optional.of(number << shift);
    }

    /** A duration: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, or ISO-8601 {@code PT30S}. */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> value = find(key).filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            return defaultValue;
        }
        return parseDuration(value.get()).orElseThrow(() -> invalid(key, value.get(), "a duration such as 250ms, 30s, 5m or PT30S"));
    }

    public static Optional<Duration> parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return Optional.of(switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
        }
        try {
            return Optional.of(Duration.parse(text.trim()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A comma-separated list; blanks are dropped. */
    public List<String> list(String key, List<String> defaultValue) {
        Optional<String> value = find(key).filter(v -> !v.isEmpty());
        return value.map(Config::parseList).orElse(defaultValue);
    }

    /** A comma-separated list; blanks are dropped. */
    public static List<String> parseList(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * A secret: the value of {@code key} (file or environment), or the contents of the file named by
     * {@code <key>File}. Never logged; {@link #toString()} masks it.
     */
    public Optional<String> secret(String key) {
        Optional<String> direct = find(key);
        if (direct.isPresent()) {
            return direct;
        }
        Optional<String> file = find(key + "File").filter(v -> !v.isEmpty());
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new ConfigException("cannot read " + key + "File " + file.get() + ": " + e.getMessage(), e);
        }
    }
    /**
     * The keys of the file that start with {@code prefix}, in sorted order, for settings whose key
     * carries a name (the {@code policies.*} scopes, retention overrides). Environment variables
     * cannot name such keys, so only the file counts here; {@link #find} still applies the
     * environment to each key read.
     */
    public List<String> keysUnder(String prefix) {
        return values.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }

    public String source() {
        return source;
    }

    /** The file's keys and values, secrets masked: safe to log. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((k, v) -> shown.put(k, isSecret(k) ? "****" : v));
        return "Config" + shown + " from " + source;
    }

    private static boolean isSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("password") || lower.contains("secret") || lower.contains("token") || lower.endsWith(".key")
                || Catalog.installed().settings().stream().anyMatch(s -> s.secret() && s.name().equals(key));
    }

    private ConfigException invalid(String key, String value, String expected) {
        String shown = isSecret(key) ? "****" : "'" + value + "'";
        return new ConfigException("setting " + key + " = " + shown + " is not valid: expected " + expected);
    }

    private static Map<String, String> readProperties(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(k -> values.put(k, properties.getProperty(k)));
        return values;
    }

    private static Map<String, String> readYaml(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        Map<String, String> values = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new ConfigException("config file " + file + " must be a YAML mapping of keys to values");
            }
            flatten("", root, values);
        }
        return values;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> values) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), values);
            }
        } else if (node.isArray()) {
            StringBuilder joined = new StringBuilder();
            node.forEach(element -> joined.append(joined.length() == 0 ? "" : ",").append(element.asText()));
            values.put(prefix, joined.toString());
        } else if (!node.isNull()) {
            values.put(prefix, node.asText());
        }
    }
}
