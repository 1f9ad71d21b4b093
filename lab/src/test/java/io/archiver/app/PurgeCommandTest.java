package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.lab.LabPostgres;
import io.archiver.app.support.ArchiveSeed;
import io.archiver.app.support.Cli;
import io.archiver.app.support.Db;
import io.archiver.app.support.TestFiles;
import io.archiver.core.config.Config;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./archiver purge} and {@code POST /v1/purges}: usage errors, dry run, max records, roles, statistics. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PurgeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private LabPostgres postgres;
    private Db db;
    private String config;
    private ArchiveNode node;
    private String nodeUrl;

    @BeforeAll
    void start() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        db = new Db(postgres.jdbcUrl());
        try (ArchiveSeed seed = new ArchiveSeed(postgres.jdbcUrl(), LabPostgres.USER)) {
            seed.day(100, 40, "d100", "sip:alice@example.com", "c1");
            seed.day(90, 30, "d90", "sip:alice@example.com", "c2");
            seed.day(80, 20, "d80", "sip:held@example.com", "c3");
            seed.day(2, 10, "recent", "sip:alice@example.com", "c4");
        }
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), LabPostgres.USER, "")) {
            c.createStatement().execute("INSERT INTO archive.holds (participant, reason, placed_by) VALUES ('sip:held@example.com', 'case 9', 'legal')");
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("db.url", postgres.jdbcUrl());
        settings.put("db.user", LabPostgres.USER);
        settings.put("retention.batchPause", "0ms");
        settings.put("retention.enabled", "false");
        settings.put("broker.port", String.valueOf(TestFiles.freePort()));
        settings.put("broker.dir", dir.resolve("broker").toString());
        settings.put("http.port", "0");
        settings.put("tokens.file", TestFiles.tokens(dir).toString());
        config = TestFiles.properties(dir.resolve("node.properties"), settings).toString();
        node = ArchiveNode.start(Config.load(Path.of(config)));
        nodeUrl = "http://127.0.0.1:" + node.node().httpPort();
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
        postgres.close();
    }

    @Test
    void usageErrorsExitTwoWithWhatToFix() {
        assertThat(Cli.run("purge", "--config", config)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("(--older-than-days=N | --older-than-hours=N)");
        });
        assertThat(Cli.run("purge", "--config", config, "--older-than-days", "5", "--older-than-hours", "5").err()).contains("mutually exclusive");
        assertThat(Cli.run("purge", "--config", config, "--older-than-days", "0").exit()).isEqualTo(2);
        assertThat(Cli.run("purge", "--config", config, "--older-than-days", "2563").err()).contains("1 to 2562");
        assertThat(Cli.run("purge", "--config", config, "--older-than-days", "x").exit()).isEqualTo(2);
        assertThat(Cli.run("purge", "--config", config, "--older-than-days", "60", "--max-records", "0").err()).contains("at least 1");
        assertThat(Cli.run("purge", "--older-than-days", "60").exit()).isEqualTo(2);
    }

    @Test
    void dryRunThenMaxRecordsThenTheRestFromTheCommandLine() throws Exception {
        Cli.Result dry = Cli.run("purge", "--config", config, "--dry-run", "--older-than-days", "60");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("(dry run: nothing removed)").contains("would purge 70 records").contains("20 records would be held back")
                .contains("would drop ").doesNotContain("purged,").doesNotContain("(s)");
        assertThat(db.count("SELECT count(*) FROM archive.messages")).isEqualTo(100);

        Cli.Result limited = Cli.run("purge", "--config", config, "--older-than-days", "60", "--max-records", "50", "--by", "ops-jane");
        assertThat(limited.exit()).as(limited.err()).isZero();
        assertThat(limited.out()).contains("50 records purged").contains("20 records left by --max-records").doesNotContain("would");
        assertThat(db.rowsWithPrefix("d100")).isZero();
        assertThat(db.rowsWithPrefix("d90")).isEqualTo(20);
        assertThat(db.count("SELECT count(*) FROM archive.audit_log WHERE actor = 'ops-jane' AND action = 'purge'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM archive.purge_runs WHERE trigger = 'command'")).isEqualTo(2);
    }

    @Test
    void theHttpPurgeNeedsAnAdminAndAnswersStatistics() throws Exception {
        assertThat(post(null, "{\"olderThanDays\": 60}").statusCode()).isEqualTo(401);
        assertThat(post(TestFiles.INGEST_TOKEN, "{\"olderThanDays\": 60}").statusCode()).isEqualTo(403);
        assertThat(post(TestFiles.AUDITOR_TOKEN, "{\"olderThanDays\": 60}").statusCode()).isEqualTo(403);
        HttpResponse<String> bad = post(TestFiles.ADMIN_TOKEN, "{\"olderThanDays\": 60, \"olderThanHours\": 3}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("not both");
        assertThat(post(TestFiles.ADMIN_TOKEN, "{\"olderThanDays\": \"60\"}").body()).contains("olderThanDays must be a whole number");
        assertThat(post(TestFiles.ADMIN_TOKEN, "{\"olderThan\": 60}").body()).contains("unknown field");
        assertThat(post(TestFiles.ADMIN_TOKEN, "[").statusCode()).isEqualTo(400);

        HttpResponse<String> dry = post(TestFiles.ADMIN_TOKEN, "{\"olderThanDays\": 60, \"dryRun\": true}");
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
        JsonNode stats = JSON.readTree(dry.body());
        assertThat(stats.get("dryRun").asBoolean()).isTrue();
        assertThat(stats.get("heldBack").asLong()).isEqualTo(20);
        assertThat(stats.get("perDay")).isNotEmpty();
        assertThat(db.count("SELECT count(*) FROM archive.audit_log WHERE action = 'purge.dry-run' AND actor = 'admin@line3'")).isEqualTo(1);
    }

    private HttpResponse<String> post(String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(nodeUrl + "/v1/purges"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
