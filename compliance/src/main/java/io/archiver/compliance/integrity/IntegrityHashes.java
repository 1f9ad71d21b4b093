package io.archiver.compliance.integrity;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hashes of the seals (see {@code V7__integrity_seals.sql}):
 *
 * <ul>
 *   <li>a record's <b>leaf</b>: SHA-256 over its id (8-byte big-endian length, UTF-8), its content hash
 *       (length, bytes) and its {@code sent_at} in microseconds since the epoch (8 bytes);</li>
 *   <li>a day's <b>root</b>: SHA-256 over {@value #DAY_DOMAIN}, the day (epoch day, 8 bytes) and the
 *       leaves of its records, 32 bytes each, in (sent_at, record_id in byte order) order: a hash chain
 *       of the day, computed in one pass over a stream of any length;</li>
 *   <li>a seal log entry's <b>chain</b>: SHA-256 over {@value #CHAIN_DOMAIN}, the previous entry's chain,
 *       the entry's seq, day, record count, root, {@code sealed_at} (microseconds), {@code sealed_by} and
 *       note: every entry commits to all before it;</li>
 *   <li>its <b>MAC</b>, when {@code integrity.key} is set: HMAC-SHA256 of the chain under that key.</li>
 * </ul>
 */
public final class IntegrityHashes {

    static final String DAY_DOMAIN = "archiver.integrity.day.v1";
    static final String CHAIN_DOMAIN = "archiver.integrity.seal.v1";
    /** The previous chain of the log's first entry. */
    public static final byte[] GENESIS = new byte[32];

    private static final HexFormat HEX = HexFormat.of();

    private IntegrityHashes() {
    }

    /** The leaf of one record. */
    public static byte[] leaf(String recordId, byte[] contentHash, Instant sentAt) {
        return leaf(sha256(), recordId, contentHash, sentAt);
    }

    private static byte[] leaf(MessageDigest digest, String recordId, byte[] contentHash, Instant sentAt) {
        digest.reset();
        byte[] id = recordId.getBytes(StandardCharsets.UTF_8);
        digest.update(longBytes(id.length));
        digest.update(id);
        digest.update(longBytes(contentHash.length));
        digest.update(contentHash);
        digest.update(longBytes(micros(sentAt)));
        return digest.digest();
    }

    public static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    /** A day's root, fed one record at a time in seal order. */
    public static final class DayDigest {
        private final MessageDigest digest = sha256();
        private final MessageDigest leaves = sha256();
        private long records;

        public DayDigest(LocalDate day) {
            digest.update(DAY_DOMAIN.getBytes(StandardCharsets.US_ASCII));
            digest.update(longBytes(day.toEpochDay()));
        }

        public void add(String recordId, byte[] contentHash, Instant sentAt) {
            digest.update(leaf(leaves, recordId, contentHash, sentAt));
            records++;
        }

        public long records() {
            return records;
        }

        /** The root; the digest cannot be used afterwards. */
        public byte[] root() {
            return digest.digest();
        }
    }

    /** The root of a day without records. */
    public static byte[] emptyRoot(LocalDate day) {
        return new DayDigest(day).root();
    }

    /** The chain value of a seal log entry. */
    public static byte[] chain(byte[] previousChain, long seq, LocalDate day, long records, byte[] root, Instant sealedAt,
                               String sealedBy, String note) {
        MessageDigest digest = sha256();
        digest.update(CHAIN_DOMAIN.getBytes(StandardCharsets.US_ASCII));
        digest.update(longBytes(previousChain.length));
        digest.update(previousChain);
        digest.update(longBytes(seq));
        digest.update(longBytes(day.toEpochDay()));
        digest.update(longBytes(records));
        digest.update(longBytes(root.length));
        digest.update(root);
        digest.update(longBytes(micros(sealedAt)));
        string(digest, sealedBy);
        string(digest, note);
        return digest.digest();
    }

    /** HMAC-SHA256 of a chain value under the integrity key. */
    public static byte[] mac(byte[] key, byte[] chain) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(chain);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available: " + e.getMessage(), e);
        }
    }

    public static String hex(byte[] bytes) {
        return bytes == null ? null : HEX.formatHex(bytes);
    }

    public static byte[] unhex(String hex) {
        return HEX.parseHex(hex);
    }

    private static void string(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(longBytes(bytes.length));
        digest.update(bytes);
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
