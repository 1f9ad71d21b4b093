package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.archiver.lab.LabCluster;
import io.archiver.app.support.Cli;
import io.archiver.app.support.Db;
import io.archiver.app.support.Records;
import io.archiver.app.support.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a script sees them: exit codes 0 / 1 / 2, messages on stderr, results on stdout. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandLineTest {

    @TempDir
    static Path dir;

    private LabCluster lab;

    @BeforeAll
    void start() throws Exception {
        lab = LabCluster.start(dir.resolve("lab"), 1, Map.of());
    }

    @AfterAll
    void stop() throws Exception {
        lab.close();
    }

    private static Cli.Result run(String... args) {
        return Cli.run(args);
    }

    @Test
    void badUsageExitsTwoWithAMessage() throws Exception {
        assertThat(run().exit()).isEqualTo(2);
        assertThat(run("no-such-command").exit()).isEqualTo(2);
        Cli.Result missingConfig = run("migrate");
        assertThat(missingConfig.exit()).isEqualTo(2);
        assertThat(missingConfig.err()).contains("--config");
        Cli.Result absentFile = run("migrate", "--config", dir.resolve("nope.properties").toString());
        assertThat(absentFile.exit()).isEqualTo(2);
        assertThat(absentFile.err()).contains("does not exist");
        assertThat(run("lab", "--frontends", "0").exit()).isEqualTo(2);
        assertThat(run("lab", "--duration", "soon").err()).contains("--duration");
        assertThat(run("bench", "--batch", "5000").exit()).isEqualTo(2);
        Path badRetention = TestFiles.properties(dir.resolve("bad-retention.properties"), Map.of("retention.days", "3000"));
        Cli.Result node = run("node", "--config", badRetention.toString());
        assertThat(node.exit()).isEqualTo(2);
        assertThat(node.err()).contains("retention.days").contains("1 to 2562");
        assertThat(run("--help").exit()).isZero();
    }

    @Test
    void theFilesTheLabWritesPassTheStrictCheck() {
        Path node = lab.labJson().resolveSibling("node.properties");
        Cli.Result nodeCheck = run("config", "check", "--config", node.toString());
        assertThat(nodeCheck.exit()).as(nodeCheck.err()).isZero();
        assertThat(nodeCheck.out()).contains("as a node's").containsPattern("failover\\.mode +managed ");
        Cli.Result frontendCheck = run("config", "check", "--config", lab.labJson().resolveSibling("frontend-1.properties").toString());
        assertThat(frontendCheck.exit()).as(frontendCheck.err()).isZero();
        assertThat(frontendCheck.out()).contains("as a front-end's").containsPattern("frontend\\.name +fe-1 ");
    }

    @Test
    void migrateIsIdempotentAndFailsClearlyWithoutADatabase() throws Exception {
        Cli.Result migrate = run("migrate", "--config", lab.labJson().resolveSibling("node.properties").toString());
        assertThat(migrate.exit()).as(migrate.err()).isZero();
        assertThat(migrate.out()).contains("applied 0 migrations");

        Path unreachable = TestFiles.properties(dir.resolve("bad-db.properties"),
                Map.of("db.url", "jdbc:postgresql://127.0.0.1:" + TestFiles.freePort() + "/archive", "db.user", "postgres"));
        Cli.Result failed = run("migrate", "--config", unreachable.toString());
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.err()).startsWith("archiver: ");
    }

    @Test
    void sendPostsAnNdjsonFileAndRefusalsExitOne() throws Exception {
        Records records = new Records("send");
        Path file = dir.resolve("records.ndjson");
        try (var out = Files.newOutputStream(file)) {
            for (byte[] batch : records.batches(2_500, 500)) {
                out.write(batch);
            }
        }
        String url = lab.frontendUrls().get(0);
        Cli.Result sent = run("send", "--url", url, "--token", lab.tokens().token("ingest"), "--batch", "700", file.toString());
        assertThat(sent.exit()).as(sent.err()).isZero();
        assertThat(sent.out()).contains("sent 2,500 records");
        Db db = new Db(lab.postgres().jdbcUrl());
        await().atMost(Duration.ofSeconds(60)).until(() -> db.rowsWithPrefix(records.prefix()) == 2_500);

        Path bad = dir.resolve("bad.ndjson");
        Files.writeString(bad, "{\"id\":\"x 1\"}\n");
        Cli.Result refused = run("send", "--url", url, "--token", lab.tokens().token("ingest"), bad.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("400").contains("lines 1-1");

        Cli.Result wrongRole = run("send", "--url", url, "--token", lab.tokens().token("auditor"), file.toString());
        assertThat(wrongRole.exit()).isEqualTo(1);
        assertThat(wrongRole.err()).contains("403");

        assertThat(run("send", "--url", url, file.toString()).exit()).as("no token").isEqualTo(2);
    }

    @Test
    void replayDeadLettersReportsWhatWentIn() {
        Cli.Result replay = run("replay-dead-letters", "--config", lab.labJson().resolveSibling("node.properties").toString());
        assertThat(replay.exit()).as(replay.err()).isZero();
        assertThat(replay.out()).contains("went in");
    }
}
