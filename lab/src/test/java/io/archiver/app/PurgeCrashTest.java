package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.archiver.lab.LabPostgres;
import io.archiver.app.support.ArchiveSeed;
import io.archiver.app.support.ArchiverProcess;
import io.archiver.app.support.Db;
import io.archiver.app.support.TestFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two archive nodes as real processes; the one running the (single-fire) scheduled purge is killed
 * with SIGKILL in the middle of it; the other node's Quartz recovers the job and its run finishes the
 * work: every expired record gone, the held ones kept, the ids consistent, the dead run marked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PurgeCrashTest {

    @TempDir
    static Path dir;

    private LabPostgres postgres;
    private Db db;

    @BeforeAll
    void startDatabase() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        db = new Db(postgres.jdbcUrl());
    }

    @AfterAll
    void stopDatabase() throws Exception {
        postgres.close();
    }

    @Test
    void aNodeKilledDuringThePurgeIsFinishedByTheOther() throws Exception {
        try (ArchiveSeed seed = new ArchiveSeed(postgres.jdbcUrl(), LabPostgres.USER)) {
            for (int day = 70; day < 73; day++) {
                seed.day(day, 3000, "exp" + day, "sip:alice@example.com", "conv-" + day);
                seed.day(day, 3, "held" + day, "sip:alice@example.com", "conv-held");
            }
            seed.day(3, 100, "recent", "sip:alice@example.com", "conv-r");
        }
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), LabPostgres.USER, "")) {
            c.createStatement().execute("INSERT INTO archive.holds (conversation_id, reason, placed_by) VALUES ('conv-held', 'case 3', 'legal')");
        }
        // One fire, a few seconds from now (UTC, as Quartz reads it in the node's default zone: set below).
        ZonedDateTime at = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(12);
        String cron = at.getSecond() + " " + at.getMinute() + " " + at.getHour() + " " + at.getDayOfMonth() + " " + at.getMonthValue() + " ? " + at.getYear();
        Path tokens = TestFiles.tokens(dir);
        ArchiverProcess a = node("node-a", cron, tokens);
        ArchiverProcess b = node("node-b", cron, tokens);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> db.count(
                    "SELECT count(*) FROM archive.purge_runs WHERE state = 'running'") == 1);
            String running = runningNode();
            // Well into the purge: some of the first day's ids already unlinked (batches of 200, a rest of 150 ms between).
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                    db.count("SELECT count(*) FROM archive.message_ids WHERE record_id LIKE 'exp%'") < 9000 - 400);
            (running.equals("node-a") ? a : b).kill();
            ArchiverProcess survivor = running.equals("node-a") ? b : a;
            long dead = db.count("SELECT id FROM archive.purge_runs WHERE node = '" + running + "' ORDER BY id DESC LIMIT 1");
            assertThat(db.count("SELECT count(*) FROM archive.messages WHERE record_id LIKE 'exp%'")).isPositive();

            await().atMost(Duration.ofSeconds(90)).until(() -> db.count(
                    "SELECT count(*) FROM archive.purge_runs WHERE state = 'done' AND node <> '" + running + "'") >= 1);

            assertThat(survivor.isAlive()).isTrue();
            assertThat(db.count("SELECT count(*) FROM archive.messages WHERE record_id LIKE 'exp%'")).isZero();
            assertThat(db.count("SELECT count(*) FROM archive.messages WHERE record_id LIKE 'held%'")).isEqualTo(9);
            assertThat(db.rowsWithPrefix("recent")).isEqualTo(100);
            assertThat(db.count("SELECT count(*) FROM archive.message_ids")).isEqualTo(db.count("SELECT count(*) FROM archive.messages"));
            assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'messages_p%expired'")).isZero();
            assertThat(db.count("SELECT count(*) FROM archive.purge_runs WHERE id = " + dead + " AND state = 'interrupted'")).isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM archive.purge_runs WHERE state = 'done' AND details->'recoveredRuns' @> '[" + dead + "]'"))
                    .isEqualTo(1);
        } finally {
            a.close();
            b.close();
        }
    }

    private String runningNode() throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), LabPostgres.USER, "");
             PreparedStatement s = c.prepareStatement("SELECT node FROM archive.purge_runs WHERE state = 'running'");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private ArchiverProcess node(String name, String cron, Path tokens) throws Exception {
        int http = TestFiles.freePort();
        Map<String, String> settings = new HashMap<>();
        settings.put("node.name", name);
        settings.put("db.url", postgres.jdbcUrl());
        settings.put("db.user", LabPostgres.USER);
        settings.put("broker.port", String.valueOf(TestFiles.freePort()));
        settings.put("broker.dir", dir.resolve(name + "-broker").toString());
        settings.put("http.port", String.valueOf(http));
        settings.put("tokens.file", tokens.toString());
        settings.put("retention.cron", cron);
        settings.put("retention.batchRecords", "200");
        settings.put("retention.batchPause", "150ms");
        settings.put("scheduler.checkinInterval", "1s");
        Path config = TestFiles.properties(dir.resolve(name + ".properties"), settings);
        return ArchiverProcess.start(dir.resolve(name + ".log"), "node", "--config", config.toString())
                .awaitLive("http://127.0.0.1:" + http);
    }
}
