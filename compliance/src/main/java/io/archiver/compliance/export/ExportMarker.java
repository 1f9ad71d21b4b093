package io.archiver.compliance.export;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;

/**
 * {@code --mark-exported}: sets {@code exported_at} on exactly the rows exported, in batches in the
 * order they were written, by (sent_at, record_id) so every lookup is one probe of a day's sent_at
 * index. All of it in one transaction that the exporter commits only once the files and the manifest
 * are complete: a failed or interrupted export marks nothing (exported-only retention then keeps the
 * rows), and the rows stay locked against a purge while the export runs.
 */
final class ExportMarker {

    static final int BATCH = 1000;
    private static final String UPDATE = "UPDATE archive.messages m SET exported_at = now() "
            + "FROM unnest(?::text[], ?::text[]::timestamptz[]) AS b(record_id, sent_at) "
            + "WHERE m.sent_at = b.sent_at AND m.record_id = b.record_id AND m.sent_at >= ? AND m.sent_at <= ?";

    private final Connection connection;
    private final String[] ids = new String[BATCH];
    private final String[] times = new String[BATCH];
    private Instant min;
    private Instant max;
    private int size;
    private long marked;

    /** Marks within {@code connection}'s transaction (auto-commit off); the caller commits. */
    ExportMarker(Connection connection) {
        this.connection = connection;
    }

    void add(String recordId, Instant sentAt) throws SQLException {
        ids[size] = recordId;
        times[size] = sentAt.toString();
        min = min == null || sentAt.isBefore(min) ? sentAt : min;
        max = max == null || sentAt.isAfter(max) ? sentAt : max;
        if (++size == BATCH) {
            flush();
        }
    }

    /** Marks what is buffered; returns the rows marked so far. */
    long flush() throws SQLException {
        if (size == 0) {
            return marked;
        }
        String[] batchIds = ids;
        String[] batchTimes = times;
        if (size < BATCH) {
            batchIds = Arrays.copyOf(ids, size);
            batchTimes = Arrays.copyOf(times, size);
        }
        try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
            update.setArray(1, connection.createArrayOf("text", batchIds));
            update.setArray(2, connection.createArrayOf("text", batchTimes));
            update.setTimestamp(3, Timestamp.from(min));
            update.setTimestamp(4, Timestamp.from(max));
            marked += update.executeUpdate();
        }
        size = 0;
        min = null;
        max = null;
        return marked;
    }

    long marked() {
        return marked;
    }
}
