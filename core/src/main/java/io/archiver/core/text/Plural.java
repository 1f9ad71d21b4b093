package io.archiver.core.text;

import java.util.Locale;

/**
 * A count with its noun, singular or plural as the count asks: {@code Plural.of(1, "record")} is
 * {@code "1 record"}, {@code Plural.of(1200, "record")} is {@code "1,200 records"} (thousands grouped, as
 * the commands print counts). Regular nouns take an {@code s}; give the plural of the others.
 */
public final class Plural {

    private Plural() {
    }

    /** {@code "1 record"}, {@code "0 records"}, {@code "2,500 records"}. */
    public static String of(long count, String singular) {
        return of(count, singular, singular + "s");
    }

    /** {@code "1 entry"}, {@code "3 entries"}. */
    public static String of(long count, String singular, String plural) {
        return String.format(Locale.ROOT, "%,d %s", count, word(count, singular, plural));
    }

    /** The noun alone: {@code singular} for a count of 1 (or -1), {@code plural} otherwise. */
    public static String word(long count, String singular, String plural) {
        return count == 1 || count == -1 ? singular : plural;
    }

    /** The noun alone, regular plural. */
    public static String word(long count, String singular) {
        return word(count, singular, singular + "s");
    }
}
