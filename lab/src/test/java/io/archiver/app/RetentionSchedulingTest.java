package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.archiver.lab.LabPostgres;
import io.archiver.app.support.ArchiveSeed;
import io.archiver.app.support.Db;
import io.archiver.app.support.TestFiles;
import io.archiver.core.config.Config;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduled purge with real Quartz on real PostgreSQL: a cron every two seconds actually fires,
 * honours holds, overrides and exported-only; releasing a hold lets the next run take the records;
 * two nodes on one database purge once per fire time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionSchedulingTest {

    @TempDir
    static Path dir;

    private LabPostgres postgres;
    private Path tokens;

    @BeforeAll
    void startDatabase() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        tokens = TestFiles.tokens(dir);
    }

    @AfterAll
    void stopDatabase() throws Exception {
        postgres.close();
    }

    @Test
    void theScheduledPurgeFiresAndHonoursHoldsOverridesAndExportedOnly() throws Exception {
        String url = database("scheduled");
        Db db = new Db(url);
        try (ArchiveSeed seed = new ArchiveSeed(url, LabPostgres.USER)) {
            seed.day(70, 50, "gone", "sip:alice@example.com", "conv-1");
            seed.day(70, 10, "unexported", "sip:alice@example.com", "conv-2");
            seed.day(70, 5, "held", "sip:alice@example.com", "conv-held");
            seed.day(70, 3, "ceo", "sip:ceo@example.com", "conv-3");
            seed.day(5, 20, "recent", "sip:alice@example.com", "conv-1");
        }
        execute(url, "UPDATE archive.messages SET exported_at = now() WHERE record_id NOT LIKE 'unexported-%'");
        execute(url, "INSERT INTO archive.holds (conversation_id, reason, placed_by) VALUES ('conv-held', 'case 12', 'legal')");

        Map<String, String> settings = nodeSettings(url, "node-s");
        settings.put("retention.cron", "0/2 * * * * ?");
        settings.put("retention.exportedOnly", "true");
        settings.put("retention.override.user:sip:ceo@example.com", "365");
        try (ArchiveNode node = ArchiveNode.start(Config.of(settings, Map.of()))) {
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    db.count("SELECT count(*) FROM archive.purge_runs WHERE trigger = 'schedule' AND state = 'done'") >= 1);

            assertThat(db.rowsWithPrefix("gone")).isZero();
            assertThat(db.rowsWithPrefix("unexported")).isEqualTo(10);
            assertThat(db.rowsWithPrefix("held")).isEqualTo(5);
            assertThat(db.rowsWithPrefix("ceo")).isEqualTo(3);
            assertThat(db.rowsWithPrefix("recent")).isEqualTo(20);
            assertThat(db.count("SELECT count(*) FROM archive.purge_runs WHERE trigger = 'schedule' AND state = 'done' "
                    + "AND purged = 50 AND held_back = 5 AND not_exported = 10")).isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM archive.audit_log WHERE action = 'purge' AND actor = 'scheduler'")).isGreaterThanOrEqualTo(1);

            execute(url, "UPDATE archive.holds SET released_at = now(), released_by = 'legal'");
            await().atMost(Duration.ofSeconds(20)).until(() -> db.rowsWithPrefix("held") == 0);
            assertThat(db.rowsWithPrefix("unexported")).isEqualTo(10);
            assertThat(db.count("SELECT count(*) FROM archive.messages"))
                    .isEqualTo(db.count("SELECT count(*) FROM archive.message_ids")).isEqualTo(33);
        }
    }

    @Test
    void twoNodesOnOneDatabasePurgeOncePerFireTime() throws Exception {
        String url = database("twonodes");
        Db db = new Db(url);
        try (ArchiveSeed seed = new ArchiveSeed(url, LabPostgres.USER)) {
            seed.day(90, 10, "old", "sip:alice@example.com", "conv-1");
        }
        Map<String, String> a = nodeSettings(url, "node-a");
        Map<String, String> b = nodeSettings(url, "node-b");
        for (Map<String, String> settings : java.util.List.of(a, b)) {
            settings.put("retention.cron", "0/2 * * * * ?");
        }
        try (ArchiveNode first = ArchiveNode.start(Config.of(a, Map.of()));
             ArchiveNode second = ArchiveNode.start(Config.of(b, Map.of()))) {
            await().atMost(Duration.ofSeconds(40)).until(() -> db.count(
                    "SELECT count(DISTINCT parameters->>'scheduledFor') FROM archive.purge_runs WHERE trigger = 'schedule' AND state = 'done'") >= 4);

            assertThat(db.count("SELECT count(*) FROM (SELECT parameters->>'scheduledFor' FROM archive.purge_runs "
                    + "WHERE trigger = 'schedule' GROUP BY 1 HAVING count(*) > 1) doubled")).isZero();
            assertThat(db.rowsWithPrefix("old")).isZero();
            assertThat(first.cluster().scheduler().jobs()).isNotEmpty();
            assertThat(second.cluster().scheduler().jobs()).isNotEmpty();
        }
    }

    private Map<String, String> nodeSettings(String url, String name) {
        Map<String, String> settings = new HashMap<>();
        settings.put("node.name", name);
        settings.put("db.url", url);
        settings.put("db.user", LabPostgres.USER);
        settings.put("broker.port", String.valueOf(TestFiles.freePort()));
        settings.put("broker.dir", dir.resolve(name + "-" + System.nanoTime()).toString());
        settings.put("http.port", "0");
        settings.put("tokens.file", tokens.toString());
        settings.put("scheduler.checkinInterval", "1s");
        settings.put("retention.batchPause", "0ms");
        return settings;
    }

    /** A fresh database of its own on the shared server; returns its JDBC URL. */
    private String database(String name) throws Exception {
        execute(postgres.jdbcUrl(), "CREATE DATABASE " + name);
        return postgres.jdbcUrl().replace("/archive", "/" + name);
    }

    private static void execute(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, LabPostgres.USER, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
