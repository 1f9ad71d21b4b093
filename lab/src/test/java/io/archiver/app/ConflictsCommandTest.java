package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.app.support.Cli;
import io.archiver.app.support.Db;
import io.archiver.app.support.TestFiles;
import io.archiver.core.config.Config;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.lab.FreePorts;
import io.archiver.lab.LabPostgres;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.Database;
import io.archiver.store.Incoming;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conflicts end to end: made by the real writer (the same id twice with other content), seen by
 * {@code conflicts list} (text and JSON, the same JSON as {@code GET /v1/conflicts} of a running node),
 * counted by {@code status} and {@code GET /v1/cluster}; and {@code status} audited and {@code --forget}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConflictsCommandTest {

    private static final String OS_ACTOR = "cli:" + System.getProperty("user.name");
    private static final Instant SENT = Instant.parse("2026-11-30T08:00:00.250Z");

    @TempDir
    static Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private LabPostgres postgres;
    private ArchiveNode node;
    private HikariDataSource dataSource;
    private ArchiveWriter writer;
    private Db db;
    private String config;

    @BeforeAll
    void start() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("db.url", postgres.jdbcUrl());
        settings.put("db.user", LabPostgres.USER);
        settings.put("http.port", "0");
        settings.put("broker.port", String.valueOf(FreePorts.any()));
        settings.put("broker.dir", dir.resolve("broker").toString());
        settings.put("tokens.file", TestFiles.tokens(dir).toString());
        node = ArchiveNode.start(Config.of(settings));
        config = TestFiles.properties(dir.resolve("node.properties"),
                Map.of("db.url", postgres.jdbcUrl(), "db.user", LabPostgres.USER, "db.connectionTimeout", "2s")).toString();
        dataSource = Database.open(Config.of(Map.of("db.url", postgres.jdbcUrl(), "db.user", LabPostgres.USER), Map.of()), "test");
        writer = new ArchiveWriter(dataSource);
        db = new Db(postgres.jdbcUrl());
    }

    @AfterAll
    void stop() throws Exception {
        dataSource.close();
        node.close();
        postgres.close();
    }

    @BeforeEach
    void empty() throws Exception {
        execute("TRUNCATE archive.messages, archive.message_ids, archive.conflicts, archive.audit_log RESTART IDENTITY");
    }

    private void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), LabPostgres.USER, ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static ArchiveRecord record(String id, String body) {
        return new ArchiveRecord(id, "conv-" + id, Kind.MESSAGE, SENT, "sip:alice@example.com", List.of("sip:bob@example.com"),
                ArchiveRecord.DEFAULT_CONTENT_TYPE, body, false);
    }

    private void conflict(String id, String first, String second) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        assertThat(writer.write(List.of(new Incoming(record(id, first), "fe-1", now))).inserted()).isEqualTo(1);
        assertThat(writer.write(List.of(new Incoming(record(id, second), "fe-2", now.plusSeconds(1)))).conflicts()).isEqualTo(1);
    }

    private JsonNode api(String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.node().httpPort() + path))
                .header("Authorization", "Bearer " + TestFiles.AUDITOR_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    @Test
    void aConflictIsInTheListTheApiAndTheStatus() throws Exception {
        conflict("dup-1", "meet at 10 " + "a".repeat(100), "meet at 11");

        Cli.Result text = Cli.run("conflicts", "list", "--config", config);
        assertThat(text.exit()).as(text.err()).isZero();
        List<String> lines = Arrays.asList(text.out().split("\\R"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("conflict 1: record dup-1, detected ").endsWith("; differs in body"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("  FIELD +STORED +REFUSED"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("\\* body +meet at 10 a+\\.\\.\\. +meet at 11"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("\\* frontend +fe-1 +fe-2"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("  id +dup-1 +dup-1"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("  sentAt +2026-11-30T08:00:00.250Z +2026-11-30T08:00:00.250Z"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("  archivedAt +20\\S+Z +-"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("  exportedAt +\\(none\\) +-"));
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThan(120));
        assertThat(lines).contains("1 conflict");

        // --json is the API's answer, whole.
        Cli.Result asJson = Cli.run("conflicts", "list", "--config", config, "--json", "--by", "legal-jane");
        assertThat(asJson.exit()).as(asJson.err()).isZero();
        JsonNode fromApi = api("/v1/conflicts");
        assertThat(json.readTree(asJson.out())).isEqualTo(fromApi);
        assertThat(fromApi.get("conflicts").get(0).get("refused").get("archivedAt").isNull()).isTrue();

        // Both reads audited like the API's.
        assertThat(db.count("SELECT count(*) FROM archive.audit_log WHERE action = 'conflicts.list' AND actor = ? "
                + "AND parameters->>'via' = 'cli' AND (result->>'conflicts')::int = 1", OS_ACTOR)).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM archive.audit_log WHERE action = 'conflicts.list' AND actor = 'legal-jane'")).isEqualTo(1);

        Cli.Result status = Cli.run("status", "--config", config);
        assertThat(status.exit()).as(status.err()).isZero();
        String latest = Instant.parse(fromApi.get("conflicts").get(0).get("detectedAt").asText()).toString();
        assertThat(status.out()).contains("conflicts: 1 (latest " + latest + "; ./archiver conflicts list)");
        Cli.Result statusJson = Cli.run("status", "--config", config, "--json");
        assertThat(json.readTree(statusJson.out()).get("conflicts").get("count").asLong()).isEqualTo(1);
        assertThat(json.readTree(statusJson.out()).get("conflicts").get("latest").asText()).isEqualTo(latest);
        assertThat(api("/v1/cluster").get("conflicts").get("count").asLong()).isEqualTo(1);
    }

    @Test
    void noConflictsSaysSo() throws Exception {
        Cli.Result text = Cli.run("conflicts", "list", "--config", config);
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).isEqualTo("no conflicts" + System.lineSeparator());
        Cli.Result asJson = Cli.run("conflicts", "list", "--config", config, "--json");
        assertThat(json.readTree(asJson.out())).isEqualTo(json.readTree("{\"conflicts\": [], \"nextCursor\": null}"));
        assertThat(Cli.run("status", "--config", config).out()).contains("conflicts: 0");
    }

    @Test
    void limitListsTheOldestAndSaysThereAreMore() throws Exception {
        for (int i = 1; i <= 3; i++) {
            conflict("lim-" + i, "one", "two");
        }
        Cli.Result two = Cli.run("conflicts", "list", "--config", config, "--limit", "2");
        assertThat(two.exit()).as(two.err()).isZero();
        assertThat(two.out()).contains("record lim-1,", "record lim-2,").doesNotContain("lim-3")
                .contains("2 conflicts; more after these (raise --limit)");
        JsonNode page = json.readTree(Cli.run("conflicts", "list", "--config", config, "--json", "--limit", "2").out());
        assertThat(page.get("conflicts")).hasSize(2);
        assertThat(page.get("nextCursor").asText()).isNotBlank();
        JsonNode all = json.readTree(Cli.run("conflicts", "list", "--config", config, "--json").out());
        assertThat(all.get("conflicts")).hasSize(3);
        assertThat(all.get("nextCursor").isNull()).isTrue();
        assertThat(Cli.run("conflicts", "list", "--config", config, "--limit", "0").exit()).isEqualTo(2);
    }

    @Test
    void statusIsAuditedAsTheClusterPageIs() throws Exception {
        Cli.Result status = Cli.run("status", "--config", config, "--by", "ops-ann");
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(db.count("SELECT count(*) FROM archive.audit_log WHERE action = 'cluster.status' AND actor = 'ops-ann' "
                + "AND parameters->>'via' = 'cli' AND result->>'primary' IS NOT NULL")).isEqualTo(1);
        assertThat(Cli.run("status", "--config", config, "--json").exit()).isZero();
        assertThat(db.count("SELECT count(*) FROM archive.audit_log WHERE action = 'cluster.status' AND actor = ?", OS_ACTOR)).isEqualTo(1);
    }

    @Test
    void aStoppedNodeAgesOutAndCanBeForgotten() throws Exception {
        execute("INSERT INTO archive.nodes (name, http_url, broker_url, pid, started_at, last_seen) VALUES "
                + "('gone-for-days', 'http://10.0.0.9:8080', 'tcp://10.0.0.9:61616', 7, now() - interval '4 days', now() - interval '3 days'), "
                + "('down-an-hour', 'http://10.0.0.8:8080', 'tcp://10.0.0.8:61616', 8, now() - interval '2 hours', now() - interval '1 hour') "
                + "ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen");
        await().atMost(Duration.ofSeconds(20)).until(() -> Cli.run("status", "--config", config).out().contains(node.node().name()));
        Cli.Result before = Cli.run("status", "--config", config);
        assertThat(before.out()).doesNotContain("gone-for-days").containsPattern("down-an-hour +DOWN");

        Cli.Result forget = Cli.run("status", "--config", config, "--forget", "down-an-hour");
        assertThat(forget.exit()).as(forget.err()).isZero();
        assertThat(forget.out()).startsWith("node down-an-hour forgotten").doesNotContain("down-an-hour  ");
        assertThat(db.count("SELECT count(*) FROM archive.nodes WHERE name = 'down-an-hour'")).isZero();
        assertThat(db.count("SELECT count(*) FROM archive.audit_log WHERE action = 'cluster.forget-node' "
                + "AND parameters->>'node' = 'down-an-hour' AND result->>'outcome' = 'forgotten'")).isEqualTo(1);

        Cli.Result live = Cli.run("status", "--config", config, "--forget", node.node().name());
        assertThat(live.exit()).isEqualTo(1);
        assertThat(live.err()).contains("node " + node.node().name() + " is up");
        Cli.Result unknown = Cli.run("status", "--config", config, "--forget", "no-such-node");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no archive node named no-such-node");
    }

    @Test
    void theDatabaseWatchShowsAsWatching() {
        await().atMost(Duration.ofSeconds(30)).until(() -> Cli.run("status", "--config", config).out()
                .lines().anyMatch(l -> l.contains("database-watch") && l.contains("running (watching)")));
    }
}
