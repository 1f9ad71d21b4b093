package io.archiver.core.time;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A time as administrators and auditors type it, on the command line and in the admin API alike: RFC 3339
 * with an offset ({@code 2026-11-24T10:15:30Z}), or a date {@code YYYY-MM-DD} meaning that day's UTC
 * midnight. One rule, so {@code verify}, {@code export}, search and the audit log read ranges the same way.
 */
public final class TimeOrDate {

    private TimeOrDate() {
    }

    /** The instant; {@link DateTimeException} when {@code text} is neither form (callers word the error for their caller). */
    public static Instant parse(String text) {
        return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : OffsetDateTime.parse(text).toInstant();
    }

    /**
     * A required command-line or request value {@code name}, trimmed; {@link IllegalArgumentException} with a
     * message that starts with {@code name} and says what to write instead.
     */
    public static Instant argument(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required (RFC 3339 or YYYY-MM-DD)");
        }
        try {
            return parse(value.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(name + " '" + value + "' is not a time: use RFC 3339 with an offset "
                    + "(2026-11-24T10:15:30Z) or YYYY-MM-DD (UTC midnight)");
        }
    }
}
