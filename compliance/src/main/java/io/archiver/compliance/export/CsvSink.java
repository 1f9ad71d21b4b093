package io.archiver.compliance.export;

import io.archiver.core.record.ArchiveRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * {@code records.csv}: RFC 4180 (Apache Commons CSV), UTF-8 without a byte order mark, CRLF between
 * records, fields quoted when they need it, a header row. The recipients go in one field joined by
 * {@code ;} (the header says so): every recipient starts with {@code sip:} and a SIP user part cannot
 * hold a {@code :}, so splitting before each {@code ;sip:} gives them back even when a user part
 * contains a {@code ;}. A record without a body has an empty body field.
 */
final class CsvSink implements ExportSink {

    static final String NAME = "records";
    static final String TO_HEADER = "to (;-separated)";
    static final String[] HEADER = {"id", "conversationId", "kind", "sentAt", "from", TO_HEADER, "contentType", "body",
            "external", "frontend", "receivedAt", "archivedAt"};

    private final OutputDir dir;
    private final OutputDir.Open file;
    private final Writer writer;
    private final CSVPrinter csv;
    private final StringBuilder to = new StringBuilder(256);
    private long records;

    CsvSink(OutputDir dir) throws IOException {
        this.dir = dir;
        this.file = dir.open(NAME, ".csv");
        this.writer = new BufferedWriter(new OutputStreamWriter(file.out(), StandardCharsets.UTF_8), 64 * 1024);
        this.csv = new CSVPrinter(writer, CSVFormat.RFC4180.builder().setHeader(HEADER).get());
    }

    @Override
    public String order() {
        return BY_TIME;
    }

    @Override
    public void write(ExportedRow row) throws IOException {
        ArchiveRecord r = row.record();
        to.setLength(0);
        for (String recipient : r.to()) {
            if (!to.isEmpty()) {
                to.append(';');
            }
            to.append(recipient);
        }
        csv.printRecord(r.id(), r.conversationId(), r.kind().wireName(), r.sentAt().toString(), r.from(), to,
                r.contentType(), r.body(), r.external(), row.frontend(), row.receivedAt().toString(), row.archivedAt().toString());
        records++;
    }

    @Override
    public void finish() throws IOException {
        csv.flush();
        writer.flush();
        dir.complete(file, records);
    }
}
