package io.archiver.core.record;

import java.util.Locale;
import java.util.Optional;

/** {@code sip:user@domain}: validation and the normal form the archive stores (domain in lower case). */
public final class SipUri {

    private static final int MAX_LENGTH = 512;
    private static final int MAX_LABEL = 63;
    /** RFC 3261 "unreserved" and "user-unreserved" characters, plus escapes. */
    private static final String USER_PUNCTUATION = "-_.!~*'()&=+$,;?/%";

    private SipUri() {
    }

    /**
     * The normal form, or empty when {@code value} is not a {@code sip:user@domain} URI. Checked by hand
     * rather than with a regular expression: it runs for every participant of every record, twice.
     */
    public static Optional<String> normalize(String value) {
        int length = value.length();
        if (length > MAX_LENGTH || length < 4 || !value.regionMatches(true, 0, "sip:", 0, 4)) {
            return Optional.empty();
        }
        int at = value.lastIndexOf('@');
        if (at < 5 || !validUser(value, 4, at) || !validDomain(value, at + 1, length)) {
            return Optional.empty();
        }
        boolean lowerCase = value.startsWith("sip:");
        for (int i = at + 1; i < length && lowerCase; i++) {
            lowerCase = !isUpper(value.charAt(i));
        }
        if (lowerCase) {
            return Optional.of(value);
        }
        return Optional.of("sip:" + value.substring(4, at + 1) + value.substring(at + 1).toLowerCase(Locale.ROOT));
    }

    /** Whether {@code domain} is a host name as a participant URI's domain must be (either case). */
    public static boolean isDomain(String domain) {
        return !domain.isEmpty() && domain.length() <= MAX_LENGTH && validDomain(domain, 0, domain.length());
    }

    private static boolean validUser(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!isAlphanumeric(c) && USER_PUNCTUATION.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Dot-separated labels of letters, digits and inner hyphens, 1-63 characters each. */
    private static boolean validDomain(String s, int from, int to) {
        int labelStart = from;
        for (int i = from; i <= to; i++) {
            if (i == to || s.charAt(i) == '.') {
                int labelLength = i - labelStart;
                if (labelLength < 1 || labelLength > MAX_LABEL
                        || s.charAt(labelStart) == '-' || s.charAt(i - 1) == '-') {
                    return false;
                }
                labelStart = i + 1;
            } else if (!isAlphanumeric(s.charAt(i)) && s.charAt(i) != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }
}
