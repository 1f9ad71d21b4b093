package io.archiver.store;

import com.fasterxml.jackson.core.JsonGenerator;
import io.archiver.core.record.RecordJson;
import java.io.IOException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One row of {@code archive.messages} (or {@code archive.conflicts}) as readers see it: the record, its
 * columns as stored (the kind as text, so that a row changed behind the archive's back is still read),
 * plus what the archive added (which front-end, when received, archived and exported).
 */
public record StoredRecord(
        String id,
        String conversationId,
        String kind,
        Instant sentAt,
        String from,
        List<String> to,
        String contentType,
        String body,
        boolean external,
        String frontend,
        Instant receivedAt,
        Instant archivedAt,
        Instant exportedAt) {

    /** The columns {@link #read(ResultSet)} expects, in this order: {@link ArchiveTable#STORED_COLUMNS}. */
    public static final String COLUMNS = ArchiveTable.STORED_COLUMNS;

    public StoredRecord {
        to = List.copyOf(to);
    }

    /** The current row of a result set that selected {@link #COLUMNS} first, in that order. */
    public static StoredRecord read(ResultSet rs) throws SQLException {
        return read(rs, 1);
    }

    /**
     * The current row of a result set that selected {@link #COLUMNS}, in that order, from column {@code first}
     * on (for a query that selects other columns before them, or two records side by side).
     */
    public static StoredRecord read(ResultSet rs, int first) throws SQLException {
        int c = first - 1;
        Array recipients = rs.getArray(c + 6);
        String[] to = (String[]) recipients.getArray();
        recipients.free();
        return new StoredRecord(rs.getString(c + 1), rs.getString(c + 2), rs.getString(c + 3), instant(rs, c + 4), rs.getString(c + 5),
                List.of(to), rs.getString(c + 7), rs.getString(c + 8), rs.getBoolean(c + 9), rs.getString(c + 10),
                instant(rs, c + 11), instant(rs, c + 12), instant(rs, c + 13));
    }

    /** A timestamptz column as an instant, or null. */
    public static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /**
     * As JSON: the record's fields as {@link RecordJson} writes them, then {@code frontend, receivedAt,
     * archivedAt, exportedAt}. Times are RFC 3339 in UTC ({@code 2026-01-15T09:30:00.123456Z});
     * {@code exportedAt} is {@code null} until exported, so every record has the same fields ({@code archivedAt}
     * is {@code null} only for a version the archive refused: a row of {@code archive.conflicts}).
     */
    public void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        RecordJson.writeFields(g, id, conversationId, kind, sentAt, from, to, contentType, body, external);
        g.writeStringField("frontend", frontend);
        g.writeStringField("receivedAt", receivedAt.toString());
        g.writeStringField("archivedAt", archivedAt == null ? null : archivedAt.toString());
        g.writeStringField("exportedAt", exportedAt == null ? null : exportedAt.toString());
        g.writeEndObject();
    }
}
