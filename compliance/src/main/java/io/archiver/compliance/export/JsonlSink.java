package io.archiver.compliance.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.RecordJson;
import java.io.IOException;

/**
 * {@code records.jsonl}: one record a line in the contract's record JSON (id, conversationId, kind,
 * sentAt, from, to, contentType, body (absent when the record has none), external) followed by where
 * and when the archive got it (frontend, receivedAt, archivedAt). UTF-8, lines end in {@code \n}.
 */
final class JsonlSink implements ExportSink {

    static final String NAME = "records";
    private static final JsonFactory FACTORY = new JsonFactory();

    private final OutputDir dir;
    private final OutputDir.Open file;
    private final JsonGenerator json;
    private long records;

    JsonlSink(OutputDir dir) throws IOException {
        this.dir = dir;
        this.file = dir.open(NAME, ".jsonl");
        this.json = FACTORY.createGenerator(file.out());
        this.json.setRootValueSeparator(null);
    }

    @Override
    public String order() {
        return BY_TIME;
    }

    @Override
    public void write(ExportedRow row) throws IOException {
        ArchiveRecord r = row.record();
        JsonGenerator g = json;
        g.writeStartObject();
        RecordJson.writeFields(r, g);
        g.writeStringField("frontend", row.frontend());
        g.writeStringField("receivedAt", row.receivedAt().toString());
        g.writeStringField("archivedAt", row.archivedAt().toString());
        g.writeEndObject();
        g.writeRaw('\n');
        records++;
    }

    @Override
    public void finish() throws IOException {
        json.flush();
        dir.complete(file, records);
    }
}
