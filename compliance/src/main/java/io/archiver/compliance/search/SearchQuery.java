package io.archiver.compliance.search;

import io.archiver.core.record.ParticipantUri;
import io.archiver.core.record.RecordValidator;
import io.archiver.core.record.SipUri;
import io.archiver.core.time.TimeOrDate;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

/**
 * What to look for, every filter optional and all of them combined with AND:
 *
 * <ul>
 *   <li>{@code participant}: the sender or any recipient, a SIP URI in the archive's normal form
 *       ({@link SipUri#normalize}: the domain's case folded);</li>
 *   <li>{@code conversation}: the conversation id, exactly;</li>
 *   <li>{@code from} (inclusive) and {@code to} (exclusive): the range of {@code sentAt};</li>
 *   <li>{@code text}: PostgreSQL full-text search over the body, {@code websearch_to_tsquery('simple', text)}:
 *       words (all of them must be there), {@code "a phrase"}, {@code or}, {@code -word}.</li>
 * </ul>
 *
 * Build one with {@link #of}, which checks and normalises; invalid values throw
 * {@link InvalidSearchException}.
 */
public record SearchQuery(String participant, String conversation, Instant from, Instant to, String text) {

    public static final int MAX_CONVERSATION_LENGTH = 256;
    public static final int MAX_TEXT_LENGTH = 1000;
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    public static final SearchQuery EVERYTHING = new SearchQuery(null, null, null, null, null);

    /** Checks and normalises; null or blank values mean "no such filter". */
    public static SearchQuery of(String participant, String conversation, Instant from, Instant to, String text) {
        String normalParticipant = blank(participant) ? null : participant(participant);
        String conversationId = blank(conversation) ? null : conversation(conversation, "conversation");
        Instant start = from == null ? null : inRange(from, "from");
        Instant end = to == null ? null : inRange(to, "to");
        if (start != null && end != null && start.isAfter(end)) {
            throw new InvalidSearchException("from", "from (" + start + ") is after to (" + end + ")");
        }
        String words = blank(text) ? null : text(text);
        return new SearchQuery(normalParticipant, conversationId, start, end, words);
    }

    /** From query parameters: times as RFC 3339 or {@code YYYY-MM-DD} (UTC midnight). */
    public static SearchQuery parse(String participant, String conversation, String from, String to, String text) {
        return of(participant, conversation, time(from, "from"), time(to, "to"), text);
    }

    /** RFC 3339 with an offset ({@code 2026-11-24T10:15:30Z}), or {@code YYYY-MM-DD} for UTC midnight; null when blank. */
    public static Instant time(String text, String parameter) {
        if (blank(text)) {
            return null;
        }
        String value = text.strip();
        try {
            return inRange(TimeOrDate.parse(value), parameter);
        } catch (DateTimeException e) {
            throw new InvalidSearchException(parameter, parameter + " must be an RFC 3339 time with an offset "
                    + "(2026-11-24T10:15:30Z, 2026-11-24T11:15:30+01:00) or a date YYYY-MM-DD (UTC midnight), not '"
                    + excerpt(text) + "'");
        }
    }

    static String participant(String value) {
        return ParticipantUri.normalize(value.strip()).orElseThrow(() -> new InvalidSearchException("participant",
                "participant must be a SIP URI sip:user@domain, not '" + excerpt(value) + "' (or an XMPP URI xmpp:user@domain)"));
    }

    static String conversation(String value, String parameter) {
        if (value.isEmpty() || value.length() > MAX_CONVERSATION_LENGTH) {
            throw new InvalidSearchException(parameter, parameter + " must be a conversation id of 1-"
                    + MAX_CONVERSATION_LENGTH + " characters, not " + value.length());
        }
        if (value.chars().anyMatch(Character::isISOControl) || RecordValidator.hasUnpairedSurrogate(value)) {
            throw new InvalidSearchException(parameter, parameter + " must not contain control characters or broken UTF-16: '"
                    + excerpt(value) + "'");
        }
        return value;
    }

    private static String text(String value) {
        if (value.length() > MAX_TEXT_LENGTH) {
            throw new InvalidSearchException("q", "q is " + value.length() + " characters; at most " + MAX_TEXT_LENGTH);
        }
        if (value.indexOf('\u0000') >= 0 || RecordValidator.hasUnpairedSurrogate(value)) {
            throw new InvalidSearchException("q", "q must not contain NUL characters or broken UTF-16");
        }
        return value;
    }

    private static Instant inRange(Instant instant, String parameter) {
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new InvalidSearchException(parameter, parameter + " must be between the years 0001 and 9999, not " + instant);
        }
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    static String excerpt(String value) {
        String cut = value.length() <= 200 ? value : value.substring(0, 200) + "...";
        return cut.replace('\u0000', '\uFFFD');
    }

    /**
     * 8 bytes of SHA-256 over the normalised filters: a cursor carries it, so it is refused with other
     * filters than those of the search it came from. The page size is not part of it and may change
     * from page to page.
     */
    byte[] fingerprint() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF("archiver-search-v1");
            for (String value : new String[] {participant, conversation, text}) {
                out.writeBoolean(value != null);
                if (value != null) {
                    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
                    out.writeInt(utf8.length);
                    out.write(utf8);
                }
            }
            for (Instant value : new Instant[] {from, to}) {
                out.writeBoolean(value != null);
                if (value != null) {
                    out.writeLong(SearchCursor.micros(value));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Arrays.copyOf(sha256(bytes.toByteArray()), 8);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
