package io.archiver.compliance.conflicts;

import io.archiver.compliance.search.InvalidSearchException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;

/**
 * Where a page of conflicts stopped: the last one given out ({@code detectedAt}, {@code id}: the keyset).
 * Opaque to clients: base64url (no padding) of {@code version(1) | detectedAt(8, µs) | id(8) | checksum(8)},
 * the checksum being the first 8 bytes of a salted SHA-256 over what comes before, so a damaged or edited
 * cursor is refused (as {@link io.archiver.compliance.search.SearchCursor} does), not silently read.
 */
public record ConflictCursor(Instant detectedAt, long id) {

    private static final byte VERSION = 1;
    private static final int BODY = 1 + 8 + 8;
    private static final int CHECKSUM = 8;
    private static final byte[] SALT = "archiver conflicts cursor".getBytes(StandardCharsets.US_ASCII);

    public String encode() {
        ByteBuffer buffer = ByteBuffer.allocate(BODY + CHECKSUM);
        buffer.put(VERSION).putLong(micros(detectedAt)).putLong(id);
        buffer.put(checksum(buffer.array(), BODY));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    /** {@link InvalidSearchException} ({@code cursor}) for anything this class did not write. */
    public static ConflictCursor decode(String text) {
        String stripped = text.strip();
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(stripped);
        } catch (IllegalArgumentException e) {
            throw invalid("cursor is not base64url text: pass the nextCursor of the previous page unchanged");
        }
        if (bytes.length != BODY + CHECKSUM || !Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(stripped)) {
            throw invalid("cursor is not one this endpoint gave out: pass the nextCursor of the previous page unchanged, "
                    + "or leave cursor out to start again");
        }
        if (!MessageDigest.isEqual(checksum(bytes, BODY), Arrays.copyOfRange(bytes, BODY, bytes.length))) {
            throw invalid("cursor was altered or damaged (its checksum does not match): pass the nextCursor of the previous "
                    + "page unchanged, or leave cursor out to start again");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, BODY);
        if (buffer.get() != VERSION) {
            throw invalid("cursor is of another version: leave cursor out to start again");
        }
        try {
            return new ConflictCursor(Instant.EPOCH.plus(buffer.getLong(), ChronoUnit.MICROS), buffer.getLong());
        } catch (ArithmeticException | DateTimeException e) {
            throw invalid("cursor holds a time out of range: pass the nextCursor of the previous page unchanged");
        }
    }

    private static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    private static byte[] checksum(byte[] bytes, int length) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(SALT);
            sha256.update(bytes, 0, length);
            return Arrays.copyOf(sha256.digest(), CHECKSUM);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static InvalidSearchException invalid(String message) {
        return new InvalidSearchException("cursor", message);
    }
}
