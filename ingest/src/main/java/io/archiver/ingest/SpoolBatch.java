package io.archiver.ingest;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.RecordJson;
import io.archiver.core.spool.SpoolFormat;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One request's records serialised for the spool: NDJSON bodies of about
 * {@link SpoolFormat#TARGET_MESSAGE_BYTES} each. Many records per broker message is what makes the path
 * fast; a record is never split across two messages. Built before anything is spooled so the exact size
 * can be checked against {@code spool.maxBytes} first.
 */
public final class SpoolBatch {

    /** One spool message body and how many records it holds. */
    public record Chunk(byte[] body, int records) {
    }

    private final List<Chunk> chunks;
    private final int records;
    private final long bytes;

    private SpoolBatch(List<Chunk> chunks, int records, long bytes) {
        this.chunks = List.copyOf(chunks);
        this.records = records;
        this.bytes = bytes;
    }

    public static SpoolBatch of(List<ArchiveRecord> records) {
        return of(records, SpoolFormat.TARGET_MESSAGE_BYTES);
    }

    static SpoolBatch of(List<ArchiveRecord> records, int targetBytes) {
        List<Chunk> chunks = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream(Math.min(targetBytes + 4096, 1 << 20));
        int inCurrent = 0;
        long bytes = 0;
        for (ArchiveRecord record : records) {
            byte[] line = RecordJson.toNdjson(List.of(record));
            if (inCurrent > 0 && current.size() + line.length > targetBytes) {
                chunks.add(new Chunk(current.toByteArray(), inCurrent));
                current.reset();
                inCurrent = 0;
            }
            current.writeBytes(line);
            inCurrent++;
            bytes += line.length;
        }
        if (inCurrent > 0) {
            chunks.add(new Chunk(current.toByteArray(), inCurrent));
        }
        return new SpoolBatch(chunks, records.size(), bytes);
    }

    public List<Chunk> chunks() {
        return chunks;
    }

    public int records() {
        return records;
    }

    /** Body bytes of all chunks together. */
    public long bytes() {
        return bytes;
    }
}
