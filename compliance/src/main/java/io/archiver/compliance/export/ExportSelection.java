package io.archiver.compliance.export;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.ArchiveTable;
import io.archiver.store.StoredRecord;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;

/**
 * The rows of a query, read with a server-side cursor (the caller's transaction, {@code fetchSize}
 * rows a round trip) so that the client holds one batch at a time whatever the size of the export.
 * Participants use the GIN index over {@code array_prepend(sender, recipients)} ({@code &&}: any of
 * them is the sender or a recipient), conversations the per-day {@code (conversation_id, sent_at)} index.
 */
final class ExportSelection {

    static final int FETCH_SIZE = 1000;

    @FunctionalInterface
    interface RowHandler {
        void row(ExportedRow row) throws IOException, SQLException, ExportException;
    }

    private final ExportQuery query;

    ExportSelection(ExportQuery query) {
        this.query = query;
    }

    String where() {
        StringBuilder sql = new StringBuilder(" FROM " + ArchiveTable.MESSAGES + " WHERE sent_at >= ? AND sent_at < ?");
        if (!query.participants().isEmpty()) {
            sql.append(" AND array_prepend(sender, recipients) && ?::text[]");
        }
        if (!query.conversations().isEmpty()) {
            sql.append(" AND conversation_id = ANY (?::text[])");
        }
        return sql.toString();
    }

    private void bind(Connection connection, PreparedStatement statement) throws SQLException {
        int i = 1;
        statement.setTimestamp(i++, Timestamp.from(query.from()));
        statement.setTimestamp(i++, Timestamp.from(query.to()));
        if (!query.participants().isEmpty()) {
            statement.setArray(i++, connection.createArrayOf("text", query.participants().toArray()));
        }
        if (!query.conversations().isEmpty()) {
            statement.setArray(i, connection.createArrayOf("text", query.conversations().toArray()));
        }
    }

    long count(Connection connection) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement("SELECT count(*)" + where())) {
            bind(connection, count);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Streams the rows in {@code order} to {@code handler}; the connection must not be in auto-commit (a cursor needs a transaction). */
    void forEach(Connection connection, String order, RowHandler handler) throws SQLException, IOException, ExportException {
        if (connection.getAutoCommit()) {
            throw new IllegalStateException("a cursor needs a transaction: turn auto-commit off");
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT " + StoredRecord.COLUMNS + where() + " ORDER BY " + order,
                ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            select.setFetchSize(FETCH_SIZE);
            bind(connection, select);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    handler.row(row(rs));
                }
            }
        }
    }

    private static ExportedRow row(ResultSet rs) throws SQLException {
        StoredRecord stored = StoredRecord.read(rs);
        Kind kind = Kind.fromWire(stored.kind())
                .orElseThrow(() -> new SQLException("unknown kind '" + stored.kind() + "' in " + ArchiveTable.MESSAGES));
        ArchiveRecord record = new ArchiveRecord(stored.id(), stored.conversationId(), kind, stored.sentAt(), stored.from(),
                stored.to(), stored.contentType(), stored.body(), stored.external());
        return new ExportedRow(record, stored.frontend(), stored.receivedAt(), stored.archivedAt());
    }
}
