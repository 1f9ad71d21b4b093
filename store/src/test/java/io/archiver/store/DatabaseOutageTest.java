package io.archiver.store;

import static io.archiver.store.testing.TestRecords.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.archiver.core.config.Config;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.store.testing.CoreSender;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive database goes away in the middle of a stream and comes back on the same port and data:
 * the node keeps running, the broker keeps everything, and in the end every record is there once.
 */
class DatabaseOutageTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    @TempDir
    Path brokerDir;

    @AfterEach
    void databaseBackUp() {
        PG.start();
    }

    @Test
    void nothingIsLostOrDoubledWhenTheDatabaseStopsMidStream() throws Exception {
        Map<String, String> settings = PG.settings(PG.createDatabase());
        settings.put("broker.port", "0");
        settings.put("broker.dir", brokerDir.toString());
        settings.put("http.port", "0");
        settings.put("store.batchRecords", "500");
        try (NodeService node = NodeService.start(Config.of(settings, Map.of()))) {
            DataSource db = node.dataSource();
            List<ArchiveRecord> first = messages("before", 20_000);
            List<ArchiveRecord> second = messages("during", 3_000);
            long now = System.currentTimeMillis();
            try (CoreSender sender = new CoreSender(node.brokerPort())) {
                CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> {
                    try (CoreSender background = new CoreSender(node.brokerPort())) {
                        for (int i = 0; i < 200; i++) {
                            background.sendBatch(first.subList(i * 100, (i + 1) * 100), "fe-a", now);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });

                await().atMost(Duration.ofSeconds(60)).until(() -> Sql.number(db, "SELECT count(*) FROM archive.messages") >= 1_000);
                PG.stop();

                streaming.get();
                for (int i = 0; i < 30; i++) {
                    sender.sendBatch(second.subList(i * 100, (i + 1) * 100), "fe-b", now);
                }
            }

            // Down: the broker holds what is not written, the node says it is not ready, writers retry.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(node.queueDepth()).isGreaterThanOrEqualTo(30);
                assertThat(node.readiness().ready()).isFalse();
                assertThat(node.metrics().get("archiver.write.retries").counter().count()).isGreaterThanOrEqualTo(2);
            });

            PG.start();

            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages")).isEqualTo(23_000);
                assertThat(node.queueDepth()).isZero();
            });
            assertThat(Sql.number(db, "SELECT count(DISTINCT record_id) FROM archive.messages")).isEqualTo(23_000);
            assertThat(Sql.number(db, "SELECT count(*) FROM archive.dead_letters")).isZero();
            assertThat(Sql.number(db, "SELECT count(*) FROM archive.conflicts")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> node.readiness().ready());
        }
    }

    @Test
    void aNodeClosedWhileTheDatabaseIsDownLeavesItsBatchForTheNextOne() throws Exception {
        Map<String, String> settings = PG.settings(PG.createDatabase());
        settings.put("broker.port", "0");
        settings.put("broker.dir", brokerDir.toString());
        settings.put("http.port", "0");
        Config config = Config.of(settings, Map.of());
        List<ArchiveRecord> records = messages("held", 2_000);
        NodeService node = NodeService.start(config);
        try {
            PG.stop();
            try (CoreSender sender = new CoreSender(node.brokerPort())) {
                for (int i = 0; i < 20; i++) {
                    sender.sendBatch(records.subList(i * 100, (i + 1) * 100), "fe-a", System.currentTimeMillis());
                }
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> node.metrics().get("archiver.write.retries").counter().count() >= 1);
            long started = System.nanoTime();
            node.close();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        } finally {
            node.close();
            PG.start();
        }

        try (NodeService next = NodeService.start(config)) {
            DataSource db = next.dataSource();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages")).isEqualTo(2_000);
                assertThat(next.queueDepth()).isZero();
            });
        }
    }
}
