package io.archiver.core.record;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code sip:user@domain}: validation and the normal form the archive stores (domain in lower case). */
public final class SipUri {

    private static final int MAX_LENGTH = 512;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9\\-_.!~*'()&=+$,;?/%]+");
    private static final Pattern DOMAIN =
            Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    private SipUri() {
    }

    /** The normal form, or empty when {@code value} is not a {@code sip:user@domain} URI. */
    public static Optional<String> normalize(String value) {
        if (value.length() > MAX_LENGTH || value.length() < 4
                || !value.regionMatches(true, 0, "sip:", 0, 4)) {
            return Optional.empty();
        }
        int at = value.lastIndexOf('@');
        if (at < 5) {
            return Optional.empty();
        }
        String user = value.substring(4, at);
        String domain = value.substring(at + 1);
        if (!USER.matcher(user).matches() || !DOMAIN.matcher(domain).matches()) {
            return Optional.empty();
        }
        return Optional.of("sip:" + user + "@" + domain.toLowerCase(Locale.ROOT));
    }

    /** The domain part of a normalised URI. */
    public static String domainOf(String normalized) {
        return normalized.substring(normalized.lastIndexOf('@') + 1);
    }
}
