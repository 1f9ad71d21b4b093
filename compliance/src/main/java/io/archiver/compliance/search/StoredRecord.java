package io.archiver.compliance.search;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One row of {@code archive.messages} as search answers it: the contract's record (section 2) plus what
 * the archive added (which front-end, when received, archived and exported).
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

    /** The columns {@link #read(ResultSet)} expects, in this order. */
    static final String COLUMNS = "record_id, conversation_id, kind, sent_at, sender, recipients, content_type, body, "
            + "external, frontend, received_at, archived_at, exported_at";

    public StoredRecord {
        to = List.copyOf(to);
    }

    static StoredRecord read(ResultSet rs) throws SQLException {
        String[] recipients = (String[]) rs.getArray(6).getArray();
        return new StoredRecord(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4), rs.getString(5),
                List.of(recipients), rs.getString(7), rs.getString(8), rs.getBoolean(9), rs.getString(10),
                instant(rs, 11), instant(rs, 12), instant(rs, 13));
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /**
     * As JSON: {@code id, conversationId, kind, sentAt, from, to, contentType, body, external} as in the
     * contract's record format, then {@code frontend, receivedAt, archivedAt, exportedAt}. Times are
     * RFC 3339 in UTC ({@code 2026-01-15T09:30:00.123456Z}); {@code body} and {@code exportedAt} are
     * {@code null} when there is none, so every record has the same fields.
     */
    public void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("conversationId", conversationId);
        g.writeStringField("kind", kind);
        g.writeStringField("sentAt", sentAt.toString());
        g.writeStringField("from", from);
        g.writeArrayFieldStart("to");
        for (String recipient : to) {
            g.writeString(recipient);
        }
        g.writeEndArray();
        g.writeStringField("contentType", contentType);
        g.writeStringField("body", body);
        g.writeBooleanField("external", external);
        g.writeStringField("frontend", frontend);
        g.writeStringField("receivedAt", receivedAt.toString());
        g.writeStringField("archivedAt", archivedAt.toString());
        g.writeStringField("exportedAt", exportedAt == null ? null : exportedAt.toString());
        g.writeEndObject();
    }
}
