package io.archiver.core.record;

import java.util.Locale;
import java.util.Optional;

/**
 * A participant as the archive stores it: a SIP URI {@code sip:user@domain} ({@link SipUri}) or an XMPP
 * URI of a bare JID {@code xmpp:user@domain} (RFC 5122), each with its domain in lower case. The XMPP
 * localpart may hold any character but white space, control characters and those RFC 6122 forbids in
 * a localpart ({@code " & ' / : < > @}); a resource ({@code /...}) or a query ({@code ?...}) makes it not
 * a bare JID and is refused.
 */
public final class ParticipantUri {


    private static final int MAX_LENGTH = 512;
    private static final int MAX_LOCALPART = 1023;
    private static final String XMPP = "xmpp:";
    private static final String FORBIDDEN_IN_LOCALPART = "\"&'/:<>@?#";

    private ParticipantUri() {
    }

    /** The normal form, or empty when {@code value} is neither a {@code sip:} nor an {@code xmpp:} participant URI. */
    public static Optional<String> normalize(String value) {
        if (value.regionMatches(true, 0, XMPP, 0, XMPP.length())) {
            return xmpp(value);
        }
        return SipUri.normalize(value);
    }

    private static Optional<String> xmpp(String value) {
        int length = value.length();
        int at = value.lastIndexOf('@');
        if (length > MAX_LENGTH || at <= XMPP.length() || at - XMPP.length() > MAX_LOCALPART) {
            return Optional.empty();
        }
        for (int i = XMPP.length(); i < at; i++) {
            char c = value.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || FORBIDDEN_IN_LOCALPART.indexOf(c) >= 0
                    || Character.isSurrogate(c) && !validSurrogate(value, i)) {
                return Optional.empty();
            }
        }
        String domain = value.substring(at + 1).toLowerCase(Locale.ROOT);
        // A JID's domain is a host name here, checked by the same rule as a SIP URI's.
        if (!SipUri.isDomain(domain)) {
            return Optional.empty();
        }
        return Optional.of(XMPP + value.substring(XMPP.length(), at + 1) + domain);
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
