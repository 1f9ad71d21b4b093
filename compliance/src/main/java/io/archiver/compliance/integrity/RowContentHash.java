package io.archiver.compliance.integrity;

import io.archiver.store.ArchiveTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;

/**
 * The content hash of a stored row, recomputed from its columns: the same bytes as
 * {@link io.archiver.core.record.ContentHash#of} lays out for the record the row was written from
 * (fields in order, strings as 8-byte big-endian lengths and UTF-8, {@code sent_at} in microseconds, a
 * presence byte before the body, a byte for {@code external}). It takes the columns as they are, so a
 * row whose {@code kind} or any other column was changed to something the parser would never produce
 * still gets a hash (which then differs from the stored one) instead of an error. A NULL where the
 * schema forbids one is encoded with a length of -1, which no string has.
 *
 * <p>One instance per thread (it keeps a buffer and a digest).
 */
public final class RowContentHash {

    /** The columns {@link #of(ResultSet)} reads, for a SELECT list. */
    public static final String COLUMNS = ArchiveTable.RECORD_COLUMNS;

    private final MessageDigest digest = IntegrityHashes.sha256();
    private byte[] buffer = new byte[4096];
    private int size;

    /** From a result set holding {@link #COLUMNS} under those names. */
    public byte[] of(ResultSet rs) throws SQLException {
        Array recipients = rs.getArray("recipients");
        String[] to = recipients == null ? null : (String[]) recipients.getArray();
        OffsetDateTime sentAt = rs.getObject("sent_at", OffsetDateTime.class);
        boolean external = rs.getBoolean("external");
        boolean externalNull = rs.wasNull();
        return of(rs.getString("record_id"), rs.getString("conversation_id"), rs.getString("kind"),
                sentAt == null ? null : sentAt.toInstant(), rs.getString("sender"), to, rs.getString("content_type"),
                rs.getString("body"), externalNull ? null : external);
    }

    /** From the column values. */
    public byte[] of(String recordId, String conversationId, String kind, Instant sentAt, String sender, String[] recipients,
                     String contentType, String body, Boolean external) {
        size = 0;
        string(recordId);
        string(conversationId);
        string(kind);
        putLong(sentAt == null ? Long.MIN_VALUE : IntegrityHashes.micros(sentAt));
        string(sender);
        if (recipients == null) {
            putLong(-1);
        } else {
            putLong(recipients.length);
            for (String recipient : recipients) {
                string(recipient);
            }
        }
        string(contentType);
        if (body == null) {
            put((byte) 0);
        } else {
            put((byte) 1);
            string(body);
        }
        put((byte) (external == null ? 2 : external ? 1 : 0));
        digest.reset();
        digest.update(buffer, 0, size);
        return digest.digest();
    }

    private void string(String value) {
        if (value == null) {
            putLong(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        putLong(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
    }

    private void putLong(long value) {
        ensure(Long.BYTES);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
    }

    private void put(byte value) {
        ensure(1);
        buffer[size++] = value;
    }

    private void ensure(int more) {
        if (size + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
        }
    }
}
