package io.archiver.compliance.export;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times of an export's range as users give them: RFC 3339 with an offset, or {@code YYYY-MM-DD} (UTC midnight). */
public final class ExportTimes {

    private ExportTimes() {
    }

    /** The instant, or {@link IllegalArgumentException} with a message that starts with {@code name}. */
    public static Instant parse(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required (RFC 3339 or YYYY-MM-DD)");
        }
        String text = value.trim();
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(name + " '" + value + "' is not a time: use RFC 3339 with an offset "
                    + "(2026-11-24T10:15:30Z) or YYYY-MM-DD (UTC midnight)");
        }
    }
}
