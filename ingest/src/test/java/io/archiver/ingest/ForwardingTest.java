package io.archiver.ingest;

import static io.archiver.ingest.FrontendFixture.post;
import static io.archiver.ingest.FrontendFixture.postJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.ParsedBatch;
import io.archiver.core.record.RecordParser;
import io.archiver.core.spool.SpoolFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.activemq.artemis.api.core.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records accepted over HTTP arrive in the archive's {@code archive.records}, exactly those, exactly once, stamped. */
class ForwardingTest {

    @TempDir
    Path dir;

    @Test
    void postedRecordsArriveInTheArchiveStampedWithFrontendAndReceivedAt() throws Exception {
        int archivePort = FrontendFixture.freePort();
        try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort);
             FrontendService frontend = FrontendService.start(FrontendFixture.config(FrontendFixture.settings(dir, archivePort)))) {
            int port = frontend.httpPort();
            Instant before = Instant.now();
            List<ObjectNode> small = TestRecords.many(3, 20);
            List<ObjectNode> large = TestRecords.many(1000, 1200);
            assertThat(postJson(port, TestRecords.array(small)).statusCode()).isEqualTo(202);
            assertThat(post(port, "application/x-ndjson", TestRecords.ndjson(large)).statusCode()).isEqualTo(202);
            ObjectNode single = TestRecords.record();
            assertThat(postJson(port, single.toString()).statusCode()).isEqualTo(202);
            Instant after = Instant.now();

            List<ObjectNode> sent = new ArrayList<>(small);
            sent.addAll(large);
            sent.add(single);
            await().atMost(Duration.ofSeconds(30)).until(() -> frontend.spoolDepth() == 0);
            List<TestArchiveBroker.ArchivedMessage> messages = archive.takeAll();

            int largeTargetMessages = (int) Math.ceil(1000 * 1300.0 / SpoolFormat.TARGET_MESSAGE_BYTES);
            assertThat(messages).as("a large request is split into ~256 KiB messages").hasSizeGreaterThanOrEqualTo(2 + largeTargetMessages - 1);
            List<ArchiveRecord> received = new ArrayList<>();
            for (TestArchiveBroker.ArchivedMessage message : messages) {
                assertThat(message.type()).isEqualTo(Message.BYTES_TYPE);
                assertThat(message.durable()).isTrue();
                assertThat(message.frontend()).isEqualTo(FrontendFixture.NAME);
                assertThat(message.receivedAt()).isBetween(before.toEpochMilli(), after.toEpochMilli());
                assertThat(message.body().length).isLessThanOrEqualTo(SpoolFormat.TARGET_MESSAGE_BYTES);
                List<ArchiveRecord> records = message.records();
                assertThat(message.recordCount()).isEqualTo(records.size());
                received.addAll(records);
            }
            assertThat(received).containsExactlyInAnyOrderElementsOf(normalised(sent));
            assertThat(received.stream().map(ArchiveRecord::from)).allMatch("sip:alice@example.com"::equals);
        }
    }

    @Test
    void concurrentRequestsAreAllSpooledAndForwardedOnce() throws Exception {
        int archivePort = FrontendFixture.freePort();
        try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort);
             FrontendService frontend = FrontendService.start(FrontendFixture.config(FrontendFixture.settings(dir, archivePort)))) {
            int port = frontend.httpPort();
            List<ObjectNode> sent = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    statuses.add(pool.submit(() -> {
                        List<ObjectNode> records = TestRecords.many(25, 200);
                        sent.addAll(records);
                        return postJson(port, TestRecords.array(records)).statusCode();
                    }));
                }
                for (Future<Integer> status : statuses) {
                    assertThat(status.get()).isEqualTo(202);
                }
            } finally {
                pool.shutdownNow();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> frontend.spoolDepth() == 0);
            List<ArchiveRecord> received = archive.takeAllRecords();
            assertThat(received).hasSize(60 * 25);
            assertThat(received.stream().map(ArchiveRecord::id).distinct().count()).isEqualTo(60 * 25);
            assertThat(received).containsExactlyInAnyOrderElementsOf(normalised(sent));
            assertThat(FrontendFixture.get(port, "/metrics").body())
                    .containsPattern("archiver_records_accepted_total\\{[^}]*\\} 1500")
                    .containsPattern("archiver_archive_reachable\\{[^}]*\\} 1");
        }
    }

    @Test
    void withSeveralArchiveBrokersListedTheBridgeForwardsToOneThatIsUp() throws Exception {
        int down = FrontendFixture.freePort();
        int up = FrontendFixture.freePort();
        java.util.Map<String, String> settings = FrontendFixture.settings(dir, down);
        settings.put("archive.brokers", "tcp://127.0.0.1:" + down + ", tcp://127.0.0.1:" + up);
        try (TestArchiveBroker archive = TestArchiveBroker.start(up);
             FrontendService frontend = FrontendService.start(FrontendFixture.config(settings))) {
            List<ObjectNode> sent = TestRecords.many(5, 50);
            assertThat(postJson(frontend.httpPort(), TestRecords.array(sent)).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> archive.messageCount() == 1);
            assertThat(archive.takeAllRecords()).containsExactlyInAnyOrderElementsOf(normalised(sent));
            await().atMost(Duration.ofSeconds(5)).until(frontend::archiveReachable);
        }
    }

    /** The records as the front-end normalises them, parsed from what the test sent. */
    static List<ArchiveRecord> normalised(List<ObjectNode> sent) throws Exception {
        ParsedBatch batch = new RecordParser().parseNdjson(TestRecords.ndjson(sent).getBytes(StandardCharsets.UTF_8), Instant.now());
        assertThat(batch.allValid()).isTrue();
        return batch.records();
    }
}
