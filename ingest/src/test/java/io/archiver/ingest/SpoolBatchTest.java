package io.archiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.RecordParser;
import io.archiver.core.spool.SpoolFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a request's records are cut into spool message bodies. */
class SpoolBatchTest {

    @Test
    void recordsAreCutIntoBodiesOfAboutTheTargetSizeNeverSplittingARecord() throws Exception {
        List<ArchiveRecord> records = ForwardingTest.normalised(TestRecords.many(900, 1500));
        SpoolBatch batch = SpoolBatch.of(records);

        assertThat(batch.records()).isEqualTo(900);
        assertThat(batch.chunks()).hasSizeGreaterThan(4);
        assertThat(batch.chunks()).allSatisfy(chunk -> assertThat(chunk.body().length).isLessThanOrEqualTo(SpoolFormat.TARGET_MESSAGE_BYTES));
        assertThat(batch.chunks().subList(0, batch.chunks().size() - 1))
                .allSatisfy(chunk -> assertThat(chunk.body().length).isGreaterThan(SpoolFormat.TARGET_MESSAGE_BYTES - 2000));
        assertThat(batch.bytes()).isEqualTo(batch.chunks().stream().mapToLong(c -> c.body().length).sum());

        List<ArchiveRecord> readBack = new ArrayList<>();
        for (SpoolBatch.Chunk chunk : batch.chunks()) {
            List<ArchiveRecord> inChunk = new RecordParser().parseNdjson(chunk.body(), Instant.now()).records();
            assertThat(inChunk).hasSize(chunk.records());
            readBack.addAll(inChunk);
        }
        assertThat(readBack).containsExactlyElementsOf(records);
    }

    @Test
    void aSelectionOfAParsedRequestKeepsOnlyThoseRecordsExactlyAsReceived() throws Exception {
        String first = TestRecords.record("keep-1").toString();
        String second = TestRecords.record("drop-2").toString();
        String third = "{ \"id\" : \"keep-3\", " + TestRecords.record("keep-3").toString().substring(1).replace("\"id\":\"keep-3\",", "");
        byte[] body = ("[" + first + ",\n" + second + ",\n" + third + "]").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        io.archiver.core.record.ParsedBatch parsed = new RecordParser().parseJson(body, Instant.now());
        assertThat(parsed.allValid()).as(parsed.errors().toString()).isTrue();

        SpoolBatch kept = SpoolBatch.of(parsed, new int[] {0, 2});
        assertThat(kept.records()).isEqualTo(2);
        assertThat(kept.chunks()).hasSize(1);
        assertThat(new String(kept.chunks().get(0).body(), java.nio.charset.StandardCharsets.UTF_8))
                .as("the received bytes of records 0 and 2, one a line").isEqualTo(first + "\n" + third + "\n");
        assertThat(kept.bytes()).isEqualTo(kept.chunks().get(0).body().length);

        SpoolBatch none = SpoolBatch.of(parsed, new int[0]);
        assertThat(none.records()).isZero();
        assertThat(none.chunks()).isEmpty();
    }

    @Test
    void aRecordLargerThanTheTargetGetsAMessageOfItsOwn() throws Exception {
        List<ArchiveRecord> records = ForwardingTest.normalised(List.of(
                TestRecords.withBody(TestRecords.newId(), 10), TestRecords.withBody(TestRecords.newId(), 60_000),
                TestRecords.withBody(TestRecords.newId(), 10)));
        SpoolBatch batch = SpoolBatch.of(records, 1024);
        assertThat(batch.chunks()).extracting(SpoolBatch.Chunk::records).containsExactly(1, 1, 1);
        assertThat(SpoolBatch.of(List.of()).chunks()).isEmpty();
    }
}
