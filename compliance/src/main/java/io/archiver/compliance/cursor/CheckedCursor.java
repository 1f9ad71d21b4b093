package io.archiver.compliance.cursor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The envelope of every paging cursor the node gives out (search, conflicts, audit log): opaque
 * base64url text (no padding) of {@code version(1) | body | checksum(8)}, the checksum being the first 8
 * bytes of a SHA-256 over a salt naming the endpoint and everything before it. A cursor someone changed,
 * or one of another endpoint, fails the checksum and is refused with a message saying what to do, not
 * silently read. It is not a signature, and need not be one: a forged cursor can only move within
 * results the caller may read anyway.
 */
public final class CheckedCursor {

    private static final int CHECKSUM = 8;

    private final byte[] salt;
    private final byte version;

    /** Cursors of one endpoint ({@code salt}, e.g. "archiver search cursor") in layout {@code version}. */
    public CheckedCursor(String salt, byte version) {
        this.salt = salt.getBytes(StandardCharsets.US_ASCII);
        this.version = version;
    }

    /** The text for a cursor holding {@code body}. */
    public String seal(byte[] body) {
        ByteBuffer buffer = ByteBuffer.allocate(1 + body.length + CHECKSUM);
        buffer.put(version).put(body);
        buffer.put(checksum(buffer.array(), 1 + body.length));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    /**
     * The body of a cursor this class sealed, of {@code minBody} to {@code maxBody} bytes;
     * {@link IllegalArgumentException} with the message for the client when the text is not one (not
     * base64url, another spelling, the wrong length, changed or damaged, another version).
     */
    public ByteBuffer open(String text, int minBody, int maxBody) {
        String stripped = text.strip();
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(stripped);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor is not base64url text: pass the nextCursor of the previous page unchanged");
        }
        // Only the one spelling seal writes: no padding, no stray bits in the last character.
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(stripped)) {
            throw new IllegalArgumentException("cursor was altered or damaged (it is not in the form given out): pass the "
                    + "nextCursor of the previous page unchanged, or leave cursor out to start again");
        }
        int body = bytes.length - CHECKSUM;
        if (body - 1 < minBody || body - 1 > maxBody) {
            throw new IllegalArgumentException("cursor has the wrong length: pass the nextCursor of the previous page unchanged");
        }
        if (!MessageDigest.isEqual(checksum(bytes, body), Arrays.copyOfRange(bytes, body, bytes.length))) {
            throw new IllegalArgumentException("cursor was altered or damaged (its checksum does not match): pass the "
                    + "nextCursor of the previous page unchanged, or leave cursor out to start again");
        }
        if (bytes[0] != version) {
            throw new IllegalArgumentException("cursor is of another version: leave cursor out to start again");
        }
        return ByteBuffer.wrap(bytes, 1, body - 1).slice();
    }

    private byte[] checksum(byte[] bytes, int length) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            sha256.update(bytes, 0, length);
            return Arrays.copyOf(sha256.digest(), CHECKSUM);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
