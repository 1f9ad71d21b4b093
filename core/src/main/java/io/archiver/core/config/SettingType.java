package io.archiver.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the text of a setting is read: its name in the reference ({@code int}, {@code duration} ...),
 * its range, what an error says is expected, and the parser (empty when the text is not valid or out
 * of range).
 */
public final class SettingType<T> {

    private final String name;
    private final String range;
    private final String expected;
    private final Function<String, Optional<T>> parser;
    private final Function<T, String> formatter;
    private final boolean secret;

    private SettingType(String name, String range, String expected, Function<String, Optional<T>> parser,
                        Function<T, String> formatter, boolean secret) {
        this.name = name;
        this.range = range;
        this.expected = expected;
        this.parser = parser;
        this.formatter = formatter;
        this.secret = secret;
    }

    public static SettingType<String> string() {
        return new SettingType<>("string", "", "a text", Optional::of, s -> s, false);
    }

    /** A secret text: masked everywhere, may come from {@code <key>File}. */
    public static SettingType<String> secretText() {
        return new SettingType<>("secret", "", "a text", Optional::of, s -> "****", true);
    }

    public static SettingType<Integer> integer(int min, int max) {
        String range = min == Integer.MIN_VALUE && max == Integer.MAX_VALUE ? "" : min + "-" + max;
        String expected = range.isEmpty() ? "a whole number" : "a whole number from " + min + " to " + max;
        return new SettingType<>("int", range, expected, text -> {
            try {
                int value = Integer.parseInt(text);
                return value < min || value > max ? Optional.empty() : Optional.of(value);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }, String::valueOf, false);
    }

    public static SettingType<Boolean> bool() {
        return new SettingType<>("bool", "", "true or false", Config::parseBoolean, String::valueOf, false);
    }

    /** A size ({@code 1048576}, {@code 512MiB}, {@code 1GiB}) from {@code min} to {@code max} bytes. */
    public static SettingType<Long> bytes(long min, long max) {
        String range = formatBytes(min) + "-" + formatBytes(max);
        return new SettingType<>("bytes", range, "a size such as 1048576, 512MiB or 1GiB, from " + formatBytes(min) + " to "
                + formatBytes(max), text -> Config.parseBytes(text).filter(v -> v >= min && v <= max), SettingType::formatBytes, false);
    }

    /** A duration ({@code 250ms}, {@code 30s}, {@code 5m}, {@code PT30S}) from {@code min} to {@code max}. */
    public static SettingType<Duration> duration(Duration min, Duration max) {
        String range = formatDuration(min) + "-" + formatDuration(max);
        return new SettingType<>("duration", range, "a duration from " + formatDuration(min) + " to " + formatDuration(max),
                text -> Config.parseDuration(text).filter(d -> d.compareTo(min) >= 0 && d.compareTo(max) <= 0),
                SettingType::formatDuration, false);
    }

    /** A comma-separated list; blanks are dropped. */
    public static SettingType<List<String>> list() {
        return new SettingType<>("list", "", "a comma-separated list", text -> Optional.of(Config.parseList(text)),
                l -> String.join(",", l), false);
    }

    public static SettingType<Path> path() {
        return new SettingType<>("path", "", "a file or directory path", text -> {
            try {
                return Optional.of(Path.of(text));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }, Path::toString, false);
    }

    /** One of {@code choices}, case-insensitive; read in lower case. */
    public static SettingType<String> choice(String... choices) {
        List<String> allowed = Arrays.asList(choices);
        String joined = String.join(", ", allowed);
        return new SettingType<>("choice", String.join(" | ", allowed), "one of " + joined,
                text -> Optional.of(text.toLowerCase(Locale.ROOT)).filter(allowed::contains), s -> s, false);
    }

    /** The same parser under another name in the reference and errors ({@code cron}: "a Quartz cron expression"). */
    public SettingType<T> named(String newName, String newExpected) {
        return new SettingType<>(newName, range, newExpected, parser, formatter, secret);
    }

    public String name() {
        return name;
    }

    /** The range as the reference shows it ({@code 1-2562}, {@code 500ms-10m}); empty when any value goes. */
    public String range() {
        return range;
    }

    /** What an error says is expected: "a whole number from 1 to 2562". */
    public String expected() {
        return expected;
    }

    public boolean secret() {
        return secret;
    }

    Optional<T> parse(String text) {
        return parser.apply(text);
    }

    public String format(T value) {
        return formatter.apply(value);
    }

    /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}: the largest unit that divides it (hours up to a day). */
    public static String formatDuration(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds % 86_400 == 0 && seconds > 86_400) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    /** {@code 512MiB}, {@code 1GiB}, or the bytes when no binary unit divides it. */
    public static String formatBytes(long bytes) {
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << shifts[i];
            if (bytes != 0 && bytes % unit == 0) {
                return bytes / unit + units[i];
            }
        }
        return String.valueOf(bytes);
    }
}
