package io.archiver.store.testing;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.Incoming;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Valid archive records for tests, with ids that are unique per prefix. */
public final class TestRecords {

    public static final Instant SENT = Instant.parse("2026-01-15T09:30:00.123456Z");

    private TestRecords() {
    }

    public static ArchiveRecord message(String id) {
        return message(id, "hello from " + id);
    }

    public static ArchiveRecord message(String id, String body) {
        return new ArchiveRecord(id, "conv-" + (Math.abs(id.hashCode()) % 50), Kind.MESSAGE, SENT,
                "sip:alice@example.com", List.of("sip:bob@example.com", "sip:carol@example.org"),
                ArchiveRecord.DEFAULT_CONTENT_TYPE, body, false);
    }

    /** The same record sent at another time (truncated to the microsecond PostgreSQL keeps). */
    public static ArchiveRecord sentAt(ArchiveRecord r, Instant sentAt) {
        return new ArchiveRecord(r.id(), r.conversationId(), r.kind(), sentAt.truncatedTo(ChronoUnit.MICROS), r.from(), r.to(),
                r.contentType(), r.body(), r.external());
    }

    public static List<ArchiveRecord> messages(String prefix, int count) {
        List<ArchiveRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(message(prefix + "-" + i));
        }
        return records;
    }

    public static Incoming incoming(ArchiveRecord record) {
        return new Incoming(record, "fe-test", Instant.now().truncatedTo(ChronoUnit.MICROS));
    }

    public static List<Incoming> incoming(List<ArchiveRecord> records) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return records.stream().map(r -> new Incoming(r, "fe-test", now)).toList();
    }
}
