package io.archiver.ingest;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.ParsedBatch;
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

    /**
     * The records of a parsed request. When the parser kept the received bytes, each record's JSON
     * goes into the spool exactly as the client sent it (the archive node validates and normalises
     * every record it reads, as it must for AMQP senders), which spares serialising every record
     * again: that was a seventh of the front-end's time (JFR profile of {@code ./archiver bench}).
     */
    public static SpoolBatch of(ParsedBatch batch) {
        if (!batch.hasSource()) {
            return of(batch.records());
        }
        return chunk(batch.records().size(), SpoolFormat.TARGET_MESSAGE_BYTES, batch::sourceLength, (i, out) -> {
            batch.writeSource(i, out);
            out.write('\n');
        });
    }

    /**
     * Only the records of {@code batch} at the given indices of {@link ParsedBatch#records()}, in that order
     * (those the archiving policies keep), each again exactly as received when the parser kept the bytes.
     */
    public static SpoolBatch of(ParsedBatch batch, int[] indices) {
        int[] kept = indices.clone();
        if (!batch.hasSource()) {
            List<ArchiveRecord> records = new ArrayList<>(kept.length);
            for (int i : kept) {
                records.add(batch.records().get(i));
            }
            return of(records);
        }
        return chunk(kept.length, SpoolFormat.TARGET_MESSAGE_BYTES, i -> batch.sourceLength(kept[i]), (i, out) -> {
            batch.writeSource(kept[i], out);
            out.write('\n');
        });
    }

    static SpoolBatch of(List<ArchiveRecord> records, int targetBytes) {
        List<byte[]> lines = new ArrayList<>(records.size());
        for (ArchiveRecord record : records) {
            lines.add(RecordJson.toNdjson(List.of(record)));
        }
        return chunk(lines.size(), targetBytes, i -> lines.get(i).length, (i, out) -> out.writeBytes(lines.get(i)));
    }

    /** Packs {@code count} records, each written by {@code writer}, into bodies of about {@code targetBytes}. */
    private static SpoolBatch chunk(int count, int targetBytes, java.util.function.IntUnaryOperator length, RecordWriter writer) {
        List<Chunk> chunks = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream(Math.min(targetBytes + 4096, 1 << 20));
        int inCurrent = 0;
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            int size = length.applyAsInt(i) + 1;
            if (inCurrent > 0 && current.size() + size > targetBytes) {
                chunks.add(new Chunk(current.toByteArray(), inCurrent));
                current.reset();
                inCurrent = 0;
            }
            int before = current.size();
            writer.write(i, current);
            inCurrent++;
            bytes += current.size() - before;
        }
        if (inCurrent > 0) {
            chunks.add(new Chunk(current.toByteArray(), inCurrent));
        }
        return new SpoolBatch(chunks, count, bytes);
    }

    @FunctionalInterface
    private interface RecordWriter {
        void write(int index, ByteArrayOutputStream out);
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
