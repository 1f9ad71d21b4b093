package io.archiver.core.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes records in the contract's JSON form, every field explicit, one compact object a line. */
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
        g.writeStringField("id", r.id());
        g.writeStringField("conversationId", r.conversationId());
        g.writeStringField("kind", r.kind().wireName());
        g.writeStringField("sentAt", r.sentAt().toString());
        g.writeStringField("from", r.from());
        g.writeArrayFieldStart("to");
        for (String recipient : r.to()) {
            g.writeString(recipient);
        }
        g.writeEndArray();
        g.writeStringField("contentType", r.contentType());
        if (r.body() != null) {
            g.writeStringField("body", r.body());
        }
        g.writeBooleanField("external", r.external());
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
