package io.archiver.core.record;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.temporal.ChronoUnit;

/**
 * SHA-256 over the canonical content of a record: every field in a fixed order, strings as
 * length-prefixed UTF-8, {@code sentAt} as microseconds since the epoch (what PostgreSQL keeps), so
 * the same hash can be recomputed from a stored row. Delivery facts (front-end, received at) are
 * not part of it: the same record through two front-ends is the same content.
 */
public final class ContentHash {

    private ContentHash() {
    }

    public static byte[] of(ArchiveRecord r) {
        MessageDigest digest = sha256();
        putString(digest, r.id());
        putString(digest, r.conversationId());
        putString(digest, r.kind().wireName());
        putLong(digest, ChronoUnit.MICROS.between(java.time.Instant.EPOCH, r.sentAt()));
        putString(digest, r.from());
        putLong(digest, r.to().size());
        for (String recipient : r.to()) {
            putString(digest, recipient);
        }
        putString(digest, r.contentType());
        if (r.body() == null) {
            digest.update((byte) 0);
        } else {
            digest.update((byte) 1);
            putString(digest, r.body());
        }
        digest.update((byte) (r.external() ? 1 : 0));
        return digest.digest();
    }

    private static void putString(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        putLong(digest, bytes.length);
        digest.update(bytes);
    }

    private static void putLong(MessageDigest digest, long value) {
        digest.update(ByteBuffer.allocate(Long.BYTES).putLong(value).array());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
