package io.archiver.compliance.search;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;

/**
 * Where a search stopped: the last record of the page given out ({@code sentAt}, {@code id}: the keyset,
 * a total order) and the upper bound of {@code sentAt} frozen at the first page, so the pages of one
 * search neither shift nor grow while records arrive.
 *
 * <p>Opaque to clients: base64url (no padding) of
 * {@code version(1) | filters' fingerprint(8) | until(8, µs) | last sentAt(8, µs) | last id (UTF-8) | checksum(8)},
 * the checksum being the first 8 bytes of a SHA-256 over everything before it. A cursor someone changed
 * fails the checksum, and one given with other filters than those of its search fails the fingerprint:
 * both are refused. The checksum tells damage and tampering apart from a real cursor; it is not a
 * signature, and need not be one: a forged cursor can only move within results the caller may read anyway.
 */
public record SearchCursor(Instant until, Instant lastSentAt, String lastId) {

    private static final byte VERSION = 1;
    private static final int FINGERPRINT = 8;
    private static final int CHECKSUM = 8;
    private static final int FIXED = 1 + FINGERPRINT + 8 + 8;
    private static final int MAX_ID_BYTES = 1024;
    private static final byte[] CHECKSUM_SALT = "archiver search cursor".getBytes(StandardCharsets.US_ASCII);

    /** The cursor's text for the search with these filters. */
    public String encode(SearchQuery query) {
        byte[] id = lastId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(FIXED + id.length + CHECKSUM);
        buffer.put(VERSION).put(query.fingerprint()).putLong(micros(until)).putLong(micros(lastSentAt)).put(id);
        buffer.put(checksum(buffer.array(), buffer.position()));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    /** Reads a cursor given back with these filters; {@link InvalidSearchException} ({@code cursor}) when it cannot be used. */
    public static SearchCursor decode(String text, SearchQuery query) {
        byte[] bytes;
        String stripped = text.strip();
        try {
            bytes = Base64.getUrlDecoder().decode(stripped);
        } catch (IllegalArgumentException e) {
            throw invalid("cursor is not base64url text: pass the nextCursor of the previous page unchanged");
        }
        // Only the one spelling this class writes: no padding, no stray bits in the last character.
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(stripped)) {
            throw invalid("cursor was altered or damaged (it is not in the form given out): pass the nextCursor of the "
                    + "previous page unchanged, or leave cursor out to start again");
        }
        if (bytes.length < FIXED + 1 + CHECKSUM || bytes.length > FIXED + MAX_ID_BYTES + CHECKSUM) {
            throw invalid("cursor has the wrong length: pass the nextCursor of the previous page unchanged");
        }
        int body = bytes.length - CHECKSUM;
        if (!MessageDigest.isEqual(checksum(bytes, body), Arrays.copyOfRange(bytes, body, bytes.length))) {
            throw invalid("cursor was altered or damaged (its checksum does not match): pass the nextCursor of the previous page "
                    + "unchanged, or leave cursor out to start again");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, body);
        if (buffer.get() != VERSION) {
            throw invalid("cursor is of another version of the search: leave cursor out to start again");
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

    private static byte[] checksum(byte[] bytes, int length) {
        byte[] salted = new byte[CHECKSUM_SALT.length + length];
        System.arraycopy(CHECKSUM_SALT, 0, salted, 0, CHECKSUM_SALT.length);
        System.arraycopy(bytes, 0, salted, CHECKSUM_SALT.length, length);
        return Arrays.copyOf(SearchQuery.sha256(salted), CHECKSUM);
    }

    private static InvalidSearchException invalid(String message) {
        return new InvalidSearchException("cursor", message);
    }
}
