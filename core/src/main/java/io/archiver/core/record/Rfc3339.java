package io.archiver.core.record;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reads {@code YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)} by hand. {@code DateTimeFormatter}
 * plus a regular expression cost more than the rest of a record's validation (JFR profile of the
 * write path); this does the same checks with plain arithmetic.
 */
final class Rfc3339 {

    /** Why a text is not a timestamp, or the instant it names. */
    record Result(Instant instant, String problem) {
    }

    static final String FORMAT_HINT = "must be RFC 3339 with an offset, e.g. 2026-11-24T10:15:30.123Z";

    private Rfc3339() {
    }

    static Result parse(String s) {
        int n = s.length();
        if (n < 20 || !digits(s, 0, 4) || s.charAt(4) != '-' || !digits(s, 5, 7) || s.charAt(7) != '-' || !digits(s, 8, 10)
                || (s.charAt(10) != 'T' && s.charAt(10) != 't') || !digits(s, 11, 13) || s.charAt(13) != ':'
                || !digits(s, 14, 16) || s.charAt(16) != ':' || !digits(s, 17, 19)) {
            return new Result(null, FORMAT_HINT);
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            int count = i - start;
            if (count < 1 || count > 9) {
                return new Result(null, FORMAT_HINT);
            }
            nanos = number(s, start, i);
            for (int k = count; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && digits(s, i + 1, i + 3)
                && s.charAt(i + 3) == ':' && digits(s, i + 4, i + 6)) {
            int hours = number(s, i + 1, i + 3);
            int minutes = number(s, i + 4, i + 6);
            if (hours > 23 || minutes > 59) {
                return new Result(null, "has an invalid offset: " + s.substring(i));
            }
            offsetSeconds = (s.charAt(i) == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
        } else {
            return new Result(null, FORMAT_HINT);
        }
        int hour = number(s, 11, 13);
        int minute = number(s, 14, 16);
        int second = number(s, 17, 19);
        if (hour > 23 || minute > 59 || second > 59) {
            return new Result(null, "is not a valid time of day: " + s.substring(11, 19));
        }
        long days;
        try {
            days = LocalDate.of(number(s, 0, 4), number(s, 5, 7), number(s, 8, 10)).toEpochDay();
        } catch (DateTimeException e) {
            return new Result(null, "is not a valid date: " + s.substring(0, 10));
        }
        long epochSecond = days * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
        return new Result(Instant.ofEpochSecond(epochSecond, nanos), null);
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int number(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            value = value * 10 + (s.charAt(i) - '0');
        }
        return value;
    }
}
