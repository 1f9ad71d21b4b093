package io.archiver.core.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Writes records in the contract's JSON form, every field explicit (the one writer of a record's JSON), one compact object a line. */
public final class RecordJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private RecordJson() {
    }

    public static void write(ArchiveRecord r, JsonGenerator g) throws IOException {
        g.writeStartObject();
        writeFields(r, g);
        g.writeEndObject();
    }

    /** The record's fields inside an object the caller opened, so that it can add fields of its own. */
    public static void writeFields(ArchiveRecord r, JsonGenerator g) throws IOException {
        writeFields(g, r.id(), r.conversationId(), r.kind().wireName(), r.sentAt(), r.from(), r.to(), r.contentType(),
                r.body(), r.external());
    }

    /**
     * The one JSON form of a record's fields, for records and for stored rows alike: every field, in the
     * contract's order, {@code body} {@code null} when there is none (the parser reads that as absent).
     */
    public static void writeFields(JsonGenerator g, String id, String conversationId, String kind, Instant sentAt, String from,
                                   List<String> to, String contentType, String body, boolean external) throws IOException {
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
    }

    /** The records as NDJSON: one object a line, each line ending in {@code \n}. */
    public static void writeNdjson(List<ArchiveRecord> records, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setRootValueSeparator(null);
            for (ArchiveRecord r : records) {
                write(r, g);
                g.writeRaw('\n');
            }
        }
    }

    public static byte[] toNdjson(List<ArchiveRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(records.size() * 400);
        try {
            writeNdjson(records, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String toJson(ArchiveRecord record) {
        return new String(toNdjson(List.of(record)), StandardCharsets.UTF_8).stripTrailing();
    }
}
