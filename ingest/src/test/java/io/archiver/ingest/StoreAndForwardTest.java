package io.archiver.ingest;

import static io.archiver.ingest.FrontendFixture.postJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archiver.core.record.ArchiveRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool as store-and-forward: with the archive down the front-end keeps accepting and the spool
 * grows; when the archive comes (back) everything drains, nothing doubled, also across a restart of
 * the front-end on the same spool.dir.
 */
class StoreAndForwardTest {

    @TempDir
    Path dir;

    @Test
    void withTheArchiveDownRecordsWaitInTheSpoolAndDrainOnceWhenItStarts() throws Exception {
        int archivePort = FrontendFixture.freePort();
        try (FrontendService frontend = FrontendService.start(FrontendFixture.config(FrontendFixture.settings(dir, archivePort)))) {
            int port = frontend.httpPort();
            List<ObjectNode> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                List<ObjectNode> records = TestRecords.many(10, 100);
                sent.addAll(records);
                assertThat(postJson(port, TestRecords.array(records)).statusCode()).isEqualTo(202);
                FrontendFixture.awaitDepth(frontend::spoolDepth, i + 1);
            }
            assertThat(frontend.archiveReachable()).isFalse();
            assertThat(frontend.spoolBytes()).isPositive();

            try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> frontend.spoolDepth() == 0);
                await().atMost(Duration.ofSeconds(5)).until(frontend::archiveReachable);
                List<ArchiveRecord> received = archive.takeAllRecords();
                assertThat(received).hasSize(200);
                assertThat(received).containsExactlyInAnyOrderElementsOf(ForwardingTest.normalised(sent));
            }
        }
    }

    @Test
    void theArchiveGoingAwayAndComingBackLosesAndDoublesNothing() throws Exception {
        int archivePort = FrontendFixture.freePort();
        try (FrontendService frontend = FrontendService.start(FrontendFixture.config(FrontendFixture.settings(dir, archivePort)))) {
            int port = frontend.httpPort();
            List<ArchiveRecord> received = new ArrayList<>();
            List<ObjectNode> sent = new ArrayList<>();
            try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort)) {
                await().atMost(Duration.ofSeconds(15)).until(frontend::archiveReachable);
                for (int i = 0; i < 5; i++) {
                    List<ObjectNode> records = TestRecords.many(10, 100);
                    sent.addAll(records);
                    assertThat(postJson(port, TestRecords.array(records)).statusCode()).isEqualTo(202);
                }
                await().atMost(Duration.ofSeconds(15)).until(() -> frontend.spoolDepth() == 0);
                received.addAll(archive.takeAllRecords());
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> !frontend.archiveReachable());
            for (int i = 0; i < 5; i++) {
                List<ObjectNode> records = TestRecords.many(10, 100);
                sent.addAll(records);
                assertThat(postJson(port, TestRecords.array(records)).statusCode()).isEqualTo(202);
            }
            FrontendFixture.awaitDepth(frontend::spoolDepth, 5);
            try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> frontend.spoolDepth() == 0);
                received.addAll(archive.takeAllRecords());
            }
            assertThat(received).hasSize(100);
            assertThat(received).containsExactlyInAnyOrderElementsOf(ForwardingTest.normalised(sent));
        }
    }

    @Test
    void recordsStillSpooledWhenTheFrontendStopsAreForwardedAfterARestart() throws Exception {
        int archivePort = FrontendFixture.freePort();
        Map<String, String> settings = FrontendFixture.settings(dir, archivePort);
        List<ObjectNode> sent = new ArrayList<>();
        try (FrontendService first = FrontendService.start(FrontendFixture.config(settings))) {
            for (int i = 0; i < 8; i++) {
                List<ObjectNode> records = TestRecords.many(5, 100);
                sent.addAll(records);
                assertThat(postJson(first.httpPort(), TestRecords.array(records)).statusCode()).isEqualTo(202);
            }
            FrontendFixture.awaitDepth(first::spoolDepth, 8);
        }

        try (FrontendService second = FrontendService.start(FrontendFixture.config(settings))) {
            FrontendFixture.awaitDepth(second::spoolDepth, 8);
            List<ObjectNode> more = TestRecords.many(5, 100);
            sent.addAll(more);
            assertThat(postJson(second.httpPort(), TestRecords.array(more)).statusCode()).isEqualTo(202);
            try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> second.spoolDepth() == 0);
                List<ArchiveRecord> received = archive.takeAllRecords();
                assertThat(received).hasSize(45);
                assertThat(received).containsExactlyInAnyOrderElementsOf(ForwardingTest.normalised(sent));
            }
        }
    }
}
