package io.archiver.compliance.search;

import io.archiver.compliance.cursor.CheckedCursor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Where a search stopped: the last record of the page given out ({@code sentAt}, {@code id}: the keyset,
 * a total order) and the upper bound of {@code sentAt} frozen at the first page, so the pages of one
 * search neither shift nor grow while records arrive.
 *
 * <p>A {@link CheckedCursor} of {@code filters' fingerprint(8) | until(8, µs) | last sentAt(8, µs) | last id (UTF-8)}.
 * One given with other filters than those of its search fails the fingerprint and is refused.
 */
public record SearchCursor(Instant until, Instant lastSentAt, String lastId) {

    private static final CheckedCursor ENVELOPE = new CheckedCursor("archiver search cursor", (byte) 1);
    private static final int FINGERPRINT = 8;
    private static final int FIXED = FINGERPRINT + 8 + 8;
    private static final int MAX_ID_BYTES = 1024;

    /** The cursor's text for the search with these filters. */
    public String encode(SearchQuery query) {
        byte[] id = lastId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(FIXED + id.length);
        buffer.put(query.fingerprint()).putLong(micros(until)).putLong(micros(lastSentAt)).put(id);
        return ENVELOPE.seal(buffer.array());
    }

    /** Reads a cursor given back with these filters; {@link InvalidSearchException} ({@code cursor}) when it cannot be used. */
    public static SearchCursor decode(String text, SearchQuery query) {
        ByteBuffer buffer;
        try {
            buffer = ENVELOPE.open(text, FIXED + 1, FIXED + MAX_ID_BYTES);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        byte[] fingerprint = new byte[FINGERPRINT];
        buffer.get(fingerprint);
        if (!MessageDigest.isEqual(fingerprint, query.fingerprint())) {
            throw invalid("cursor belongs to a search with other filters: give it with the same participant, conversation, "
                    + "from, to and q as the first page (only limit may change), or leave cursor out to start a new search");
        }
        long until = buffer.getLong();
        long lastSentAt = buffer.getLong();
        String id;
        try {
            id = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(buffer).toString();
        } catch (CharacterCodingException e) {
            throw invalid("cursor holds a record id that is not UTF-8: pass the nextCursor of the previous page unchanged");
        }
        try {
            return new SearchCursor(instant(until), instant(lastSentAt), id);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            throw invalid("cursor holds times out of range: pass the nextCursor of the previous page unchanged");
        }
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    private static InvalidSearchException invalid(String message) {
        return new InvalidSearchException("cursor", message);
    }
}
