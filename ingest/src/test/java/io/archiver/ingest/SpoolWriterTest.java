package io.archiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archiver.core.config.Config;
import io.archiver.core.record.ArchiveRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer on a real spool broker: one commit per batch, safe from many threads, and clear failures. */
class SpoolWriterTest {

    @TempDir
    Path dir;

    private SpoolBroker broker() throws Exception {
        Map<String, String> settings = FrontendFixture.settings(dir, FrontendFixture.freePort());
        return SpoolBroker.start(FrontendSettings.from(Config.of(settings, Map.of())));
    }

    @Test
    void aBatchOfManyMessagesIsSpooledAtOnceAndConcurrentBatchesDoNotMix() throws Exception {
        try (SpoolBroker broker = broker(); SpoolWriter writer = new SpoolWriter(broker.inVmUrl(), "fe", 3)) {
            List<ArchiveRecord> big = ForwardingTest.normalised(TestRecords.many(600, 1500));
            int chunks = SpoolBatch.of(big).chunks().size();
            writer.spool(big, Instant.now());
            FrontendFixture.awaitDepth(broker::depth, chunks);

            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    List<ArchiveRecord> records = ForwardingTest.normalised(TestRecords.many(5, 50));
                    done.add(pool.submit(() -> {
                        writer.spool(records, Instant.now());
                        return null;
                    }));
                }
                for (Future<?> future : done) {
                    future.get();
                }
            } finally {
                pool.shutdownNow();
            }
            FrontendFixture.awaitDepth(broker::depth, chunks + 40);
            assertThat(broker.bytes()).isGreaterThan(SpoolBatch.of(big).bytes());
        }
    }

    @Test
    void aClosedWriterFailsWithAClearMessage() throws Exception {
        try (SpoolBroker broker = broker()) {
            SpoolWriter writer = new SpoolWriter(broker.inVmUrl(), "fe", 2);
            writer.close();
            List<ArchiveRecord> records = ForwardingTest.normalised(TestRecords.many(3, 10));
            assertThatThrownBy(() -> writer.spool(records, Instant.now()))
                    .isInstanceOf(SpoolWriteException.class)
                    .hasMessageContaining("the spool did not take 3 record(s)");
            assertThat(broker.depth()).isZero();
        }
    }
}
