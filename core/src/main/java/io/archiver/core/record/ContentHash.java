package io.archiver.core.record;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

/**
 * SHA-256 over the canonical content of a record: every field in a fixed order, strings as
 * length-prefixed UTF-8 (8-byte big-endian lengths), {@code sentAt} as microseconds since the epoch
 * (what PostgreSQL keeps), a presence byte before the body, a byte for {@code external}. The same hash
 * can be recomputed from a stored row. Delivery facts (front-end, received at) are not part of it: the
 * same record through two front-ends is the same content.
 *
 * <p>The fields are laid out in one thread-local buffer and digested with one call; the digest is
 * reused per thread (it runs for every record on the archive node).
 */
public final class ContentHash {

    private static final ThreadLocal<Encoder> ENCODER = ThreadLocal.withInitial(Encoder::new);

    private ContentHash() {
    }

    public static byte[] of(ArchiveRecord r) {
        Encoder e = ENCODER.get();
        e.reset();
        e.string(r.id());
        e.string(r.conversationId());
        e.string(r.kind().wireName());
        e.putLong(ChronoUnit.MICROS.between(Instant.EPOCH, r.sentAt()));
        e.string(r.from());
        e.putLong(r.to().size());
        for (String recipient : r.to()) {
            e.string(recipient);
        }
        e.string(r.contentType());
        if (r.body() == null) {
            e.put((byte) 0);
        } else {
            e.put((byte) 1);
            e.string(r.body());
        }
        e.put((byte) (r.external() ? 1 : 0));
        return e.digest();
    }

    /** A growable buffer and the digest that hashes it. */
    private static final class Encoder {
        private final MessageDigest digest = sha256();
        private byte[] buffer = new byte[4096];
        private int size;

        void reset() {
            size = 0;
        }

        void string(String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            putLong(bytes.length);
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buffer, size, bytes.length);
            size += bytes.length;
        }

        void putLong(long value) {
            ensure(Long.BYTES);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buffer[size++] = (byte) (value >>> shift);
            }
        }

        void put(byte value) {
            ensure(1);
            buffer[size++] = value;
        }

        byte[] digest() {
            digest.reset();
            digest.update(buffer, 0, size);
            return digest.digest();
        }

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
