package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.archiver.lab.LabPostgres;
import io.archiver.app.send.RecordSender;
import io.archiver.app.support.ArchiverProcess;
import io.archiver.app.support.Db;
import io.archiver.app.support.Records;
import io.archiver.app.support.TestFiles;
import io.archiver.core.config.Config;
import io.archiver.ingest.FrontendService;
import io.archiver.store.NodeService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash paths, not assumed: the archive node killed with SIGKILL mid-stream, the archive side away
 * for a while, a front-end killed right after its 202s with records still in its spool.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashAndOutageTest {

    @TempDir
    static Path dir;

    private LabPostgres postgres;
    private Db db;
    private Path tokens;

    @BeforeAll
    void startDatabase() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        db = new Db(postgres.jdbcUrl());
        tokens = TestFiles.tokens(dir);
    }

    @AfterAll
    void stopDatabase() throws Exception {
        postgres.close();
    }

    private Path nodeConfig(String name, int brokerPort, int httpPort) throws Exception {
        return TestFiles.properties(dir.resolve(name + ".properties"), Map.of(
                "db.url", postgres.jdbcUrl(), "db.user", LabPostgres.USER,
                "broker.port", String.valueOf(brokerPort), "broker.dir", dir.resolve(name + "-broker").toString(),
                "http.port", String.valueOf(httpPort), "tokens.file", tokens.toString()));
    }

    private Path frontendConfig(String name, int brokerPort, int httpPort) throws Exception {
        return TestFiles.properties(dir.resolve(name + ".properties"), Map.of(
                "frontend.name", name, "http.port", String.valueOf(httpPort), "amqp.port", "0",
                "spool.dir", dir.resolve(name + "-spool").toString(),
                "archive.brokers", "tcp://127.0.0.1:" + brokerPort, "tokens.file", tokens.toString()));
    }

    @Test
    void archiveNodeKilledMidStreamLosesAndDoublesNothing() throws Exception {
        int brokerPort = TestFiles.freePort();
        int nodeHttp = TestFiles.freePort();
        Path nodeConfig = nodeConfig("node-kill", brokerPort, nodeHttp);
        Path log = dir.resolve("node-kill.log");
        ArchiverProcess node = ArchiverProcess.start(log, "node", "--config", nodeConfig.toString())
                .awaitLive("http://127.0.0.1:" + nodeHttp);
        Records records = new Records("kill");
        List<byte[]> batches = records.batches(30_000, 500);
        try (FrontendService frontend = FrontendService.start(Config.load(frontendConfig("fe-kill", brokerPort, 0)))) {
            RecordSender sender = new RecordSender("http://127.0.0.1:" + frontend.httpPort(), TestFiles.INGEST_TOKEN, Duration.ofSeconds(60));
            AtomicLong accepted = new AtomicLong();
            Thread stream = new Thread(() -> {
                try {
                    for (byte[] batch : batches) {
                        accepted.addAndGet(sender.send(batch));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            stream.start();
            await().atMost(Duration.ofSeconds(120)).until(() -> db.rowsWithPrefix(records.prefix()) >= 5_000);
            node.kill();
            long atKill = db.rowsWithPrefix(records.prefix());
            assertThat(atKill).isLessThan(30_000);

            node = ArchiverProcess.start(log, "node", "--config", nodeConfig.toString()).awaitLive("http://127.0.0.1:" + nodeHttp);
            stream.join(Duration.ofMinutes(3).toMillis());
            assertThat(accepted.get()).isEqualTo(30_000);
            await().atMost(Duration.ofSeconds(180)).until(() -> db.rowsWithPrefix(records.prefix()) >= 30_000);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(20)).until(() -> frontend.spoolDepth() == 0);
            assertThat(db.rowsWithPrefix(records.prefix())).isEqualTo(30_000);
            assertThat(db.count("SELECT count(*) FROM archive.conflicts WHERE record_id LIKE ?", records.prefix() + "%")).isZero();
            assertThat(db.count("SELECT count(*) FROM archive.dead_letters WHERE payload LIKE ?", "%" + records.prefix() + "%")).isZero();
        } finally {
            node.close();
        }
    }

    @Test
    void frontendKeepsAcceptingWhileTheArchiveIsAwayThenDrains() throws Exception {
        int brokerPort = TestFiles.freePort();
        Records records = new Records("away");
        try (FrontendService frontend = FrontendService.start(Config.load(frontendConfig("fe-away", brokerPort, 0)))) {
            RecordSender sender = new RecordSender("http://127.0.0.1:" + frontend.httpPort(), TestFiles.INGEST_TOKEN, Duration.ofSeconds(10));
            long accepted = 0;
            for (byte[] batch : records.batches(5_000, 250)) {
                accepted += sender.send(batch);
            }
            assertThat(accepted).isEqualTo(5_000);
            assertThat(frontend.spoolDepth()).isGreaterThan(0);
            assertThat(db.rowsWithPrefix(records.prefix())).isZero();

            try (NodeService node = NodeService.start(Config.load(nodeConfig("node-away", brokerPort, 0)))) {
                await().atMost(Duration.ofSeconds(120)).until(() -> db.rowsWithPrefix(records.prefix()) >= 5_000);
                await().atMost(Duration.ofSeconds(20)).until(() -> frontend.spoolDepth() == 0);
                assertThat(db.rowsWithPrefix(records.prefix())).isEqualTo(5_000);
            }
        }
    }

    @Test
    void frontendKilledRightAfterItsRepliesForwardsItsSpoolAfterRestart() throws Exception {
        int brokerPort = TestFiles.freePort();
        int frontendHttp = TestFiles.freePort();
        Path config = frontendConfig("fe-crash", brokerPort, frontendHttp);
        Path log = dir.resolve("fe-crash.log");
        String url = "http://127.0.0.1:" + frontendHttp;
        Records records = new Records("spool");
        ArchiverProcess frontend = ArchiverProcess.start(log, "frontend", "--config", config.toString()).awaitLive(url);
        long accepted = 0;
        RecordSender sender = new RecordSender(url, TestFiles.INGEST_TOKEN, Duration.ofSeconds(10));
        for (byte[] batch : records.batches(3_000, 300)) {
            accepted += sender.send(batch);
        }
        frontend.kill();
        assertThat(accepted).isEqualTo(3_000);

        try (NodeService node = NodeService.start(Config.load(nodeConfig("node-spool", brokerPort, 0)))) {
            frontend = ArchiverProcess.start(log, "frontend", "--config", config.toString()).awaitLive(url);
            await().atMost(Duration.ofSeconds(120)).until(() -> db.rowsWithPrefix(records.prefix()) >= 3_000);
            assertThat(db.rowsWithPrefix(records.prefix())).isEqualTo(3_000);
        } finally {
            frontend.close();
        }
    }
}
