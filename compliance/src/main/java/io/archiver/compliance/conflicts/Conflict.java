package io.archiver.compliance.conflicts;

import com.fasterxml.jackson.core.JsonGenerator;
import io.archiver.store.StoredRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A record that arrived under an id the archive already holds, with other content: the version kept in
 * {@code archive.messages} ({@code stored}, null once purged) and the refused one kept in
 * {@code archive.conflicts} ({@code refused}, without {@code archivedAt} or {@code exportedAt}: it was never
 * archived), with when the writer detected it.
 */
public record Conflict(long id, StoredRecord stored, StoredRecord refused, Instant detectedAt) {

    /** A field of both versions, by its JSON name, and whether it is part of the record's content (its hash). */
    public record Field(String name, boolean content, Function<StoredRecord, Object> value) {
    }

    /** The fields in the JSON order of {@link StoredRecord#write}. */
    public static final List<Field> FIELDS = List.of(
            new Field("id", true, StoredRecord::id),
            new Field("conversationId", true, StoredRecord::conversationId),
            new Field("kind", true, StoredRecord::kind),
            new Field("sentAt", true, StoredRecord::sentAt),
            new Field("from", true, StoredRecord::from),
            new Field("to", true, StoredRecord::to),
            new Field("contentType", true, StoredRecord::contentType),
            new Field("body", true, StoredRecord::body),
            new Field("external", true, StoredRecord::external),
            new Field("frontend", false, StoredRecord::frontend),
            new Field("receivedAt", false, StoredRecord::receivedAt),
            new Field("archivedAt", false, StoredRecord::archivedAt),
            new Field("exportedAt", false, StoredRecord::exportedAt));

    /** The content fields in which the refused version differs from the stored one (empty when the stored one is gone). */
    public List<String> differingContent() {
        List<String> names = new ArrayList<>();
        if (stored != null) {
            for (Field field : FIELDS) {
                if (field.content() && !Objects.equals(field.value().apply(stored), field.value().apply(refused))) {
                    names.add(field.name());
                }
            }
        }
        return names;
    }

    /** {@code {"id", "stored": {record} | null, "refused": {record}, "detectedAt"}}. */
    public void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", id);
        g.writeFieldName("stored");
        if (stored == null) {
            g.writeNull();
        } else {
            stored.write(g);
        }
        g.writeFieldName("refused");
        refused.write(g);
        g.writeStringField("detectedAt", detectedAt.toString());
        g.writeEndObject();
    }
}
