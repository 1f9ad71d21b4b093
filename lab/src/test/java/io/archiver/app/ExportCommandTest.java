package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.lab.LabPostgres;
import io.archiver.app.support.ArchiveSeed;
import io.archiver.app.support.Cli;
import io.archiver.app.support.Db;
import io.archiver.app.support.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./archiver export}: usage errors name the option (exit 2), an export with its manifest, --mark-exported, failures exit 1. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private LabPostgres postgres;
    private Db db;
    private String config;
    private String from;
    private String to;

    @BeforeAll
    void start() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        db = new Db(postgres.jdbcUrl());
        try (ArchiveSeed seed = new ArchiveSeed(postgres.jdbcUrl(), LabPostgres.USER)) {
            seed.day(3, 1200, "d3", "sip:alice@example.com", "c1");
            seed.day(3, 30, "d3b", "sip:bob@example.com", "c2");
            seed.day(1, 10, "d1", "sip:alice@example.com", "c3");
        }
        LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(3);
        from = day.toString();
        to = day.plusDays(1).toString();
        config = TestFiles.properties(dir.resolve("export.properties"),
                Map.of("db.url", postgres.jdbcUrl(), "db.user", LabPostgres.USER)).toString();
    }

    @AfterAll
    void stop() throws Exception {
        postgres.close();
    }

    @Test
    void theNodeRunsHttpExportJobsAndServesTheirFiles() throws Exception {
        Map<String, String> settings = new java.util.HashMap<>();
        settings.put("db.url", postgres.jdbcUrl());
        settings.put("db.user", LabPostgres.USER);
        settings.put("retention.enabled", "false");
        settings.put("broker.port", String.valueOf(TestFiles.freePort()));
        settings.put("broker.dir", dir.resolve("broker").toString());
        settings.put("http.port", "0");
        settings.put("tokens.file", TestFiles.tokens(dir).toString());
        settings.put("exports.dir", dir.resolve("node-exports").toString());
        String nodeConfig = TestFiles.properties(dir.resolve("node.properties"), settings).toString();
        try (ArchiveNode node = ArchiveNode.start(io.archiver.core.config.Config.load(Path.of(nodeConfig)))) {
            String url = "http://127.0.0.1:" + node.node().httpPort() + "/v1/exports";
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpResponse<String> accepted = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .header("Authorization", "Bearer " + TestFiles.AUDITOR_TOKEN).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"from\": \"" + from + "\", \"to\": \"" + to
                            + "\", \"format\": \"eml\", \"conversations\": [\"c2\"]}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String id = JSON.readTree(accepted.body()).get("id").asText();
            JsonNode done = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .pollInterval(java.time.Duration.ofMillis(100)).until(() -> JSON.readTree(client.send(java.net.http.HttpRequest
                            .newBuilder(java.net.URI.create(url + "/" + id)).header("Authorization", "Bearer " + TestFiles.AUDITOR_TOKEN).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).body()), s -> s.get("state").asText().equals("done"));
            assertThat(done.get("files")).hasSize(1);
            String name = done.get("files").get(0).get("name").asText();
            java.net.http.HttpResponse<byte[]> eml = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/" + id + "/files/" + name))
                    .header("Authorization", "Bearer " + TestFiles.AUDITOR_TOKEN).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(eml.statusCode()).isEqualTo(200);
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(eml.body())))
                    .isEqualTo(done.get("files").get(0).get("sha256").asText());
            assertThat(new String(eml.body(), java.nio.charset.StandardCharsets.US_ASCII)).contains("Subject: IM conversation c2");
        }
    }

    @Test
    void usageErrorsExitTwoAndNameTheOption() throws Exception {
        Path out = dir.resolve("unused");
        assertThat(Cli.run("export", "--config", config, "--to", to, "--format", "csv", "--out", out.toString()))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2)).satisfies(r -> assertThat(r.err()).contains("--from"));
        assertThat(Cli.run("export", "--config", config, "--from", "last week", "--to", to, "--format", "csv", "--out", out.toString()).err())
                .contains("--from 'last week' is not a time");
        assertThat(Cli.run("export", "--config", config, "--from", to, "--to", from, "--format", "csv", "--out", out.toString()).err())
                .contains("--from must be before --to");
        assertThat(Cli.run("export", "--config", config, "--from", from, "--to", to, "--format", "pdf", "--out", out.toString()))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2)).satisfies(r -> assertThat(r.err()).contains("--format must be one of eml, jsonl, csv"));
        assertThat(Cli.run("export", "--config", config, "--from", from, "--to", to, "--format", "csv", "--participant", "alice",
                "--out", out.toString()).err()).contains("--participant 'alice' is not a SIP URI");
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("keep.txt"), "x");
        Cli.Result refused = Cli.run("export", "--config", config, "--from", from, "--to", to, "--format", "csv", "--out", busy.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("--out").contains("is not empty").contains("keep.txt");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void exportsWithAManifestMarksExportedAndAudits() throws Exception {
        Path out = dir.resolve("jsonl");
        Cli.Result r = Cli.run("export", "--config", config, "--from", from, "--to", to, "--participant", "sip:alice@EXAMPLE.com",
                "--format", "jsonl", "--out", out.toString(), "--mark-exported", "--by", "auditor-jo");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("exported 1,200 records into 1 file,").contains("records.jsonl").contains("marked 1,200 records exported")
                .contains("manifest: " + out.resolve("manifest.json").toAbsolutePath());
        JsonNode manifest = JSON.readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.get("records").asLong()).isEqualTo(1200);
        assertThat(manifest.get("actor").asText()).isEqualTo("auditor-jo");
        JsonNode file = manifest.get("files").get(0);
        assertThat(file.get("sha256").asText())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out.resolve("records.jsonl")))));
        try (Stream<String> lines = Files.lines(out.resolve("records.jsonl"))) {
            assertThat(lines.count()).isEqualTo(1200);
        }
        assertThat(db.count("SELECT count(*) FROM archive.messages WHERE exported_at IS NOT NULL")).isEqualTo(1200);
        assertThat(db.count("SELECT count(*) FROM archive.messages WHERE exported_at IS NOT NULL AND record_id NOT LIKE 'd3-%'")).isZero();
        assertThat(db.count("SELECT count(*) FROM archive.audit_log WHERE action = 'export' AND actor = 'auditor-jo'")).isEqualTo(1);

        Path eml = dir.resolve("eml");
        Cli.Result e = Cli.run("export", "--config", config, "--from", from, "--to", to, "--format", "eml", "--out", eml.toString());
        assertThat(e.exit()).as(e.err()).isZero();
        assertThat(e.out()).contains("exported 1,230 records into 2 files");
        try (Stream<Path> files = Files.list(eml)) {
            assertThat(files.map(p -> p.getFileName().toString())).hasSize(3).contains("manifest.json")
                    .anyMatch(n -> n.matches("\\d{8}T\\d{6}Z-p2p-[0-9a-f]{12}\\.eml"));
        }
    }

    @Test
    void anExportThatMatchesNothingSaysSoAndItsManifestCountsNoRecords() throws Exception {
        Path out = dir.resolve("empty");
        Cli.Result r = Cli.run("export", "--config", config, "--from", "2001-01-01", "--to", "2001-01-02", "--conversation", "none",
                "--format", "jsonl", "--out", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo("archiver: warning: no records matched --from 2001-01-01T00:00:00Z --to 2001-01-02T00:00:00Z "
                + "--conversation none: the export is empty\n");
        assertThat(r.out()).startsWith("exported 0 records into ");
        JsonNode manifest = JSON.readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.get("records").asLong()).isZero();

        Cli.Result one = Cli.run("export", "--config", config, "--from", from, "--to", to, "--conversation", "c2", "--format", "eml",
                "--out", dir.resolve("one-eml").toString());
        assertThat(one.exit()).as(one.err()).isZero();
        assertThat(one.err()).isEmpty();
        assertThat(one.out()).contains("exported 30 records into 1 file,").doesNotContain("(s)");
    }

    @Test
    void aDatabaseThatIsNotThereFailsWithExitOne() throws Exception {
        String broken = TestFiles.properties(dir.resolve("broken.properties"), Map.of("db.url",
                "jdbc:postgresql://127.0.0.1:" + TestFiles.freePort() + "/archive", "db.user", "postgres", "db.connectionTimeout", "1s")).toString();
        Cli.Result r = Cli.run("export", "--config", broken, "--from", from, "--to", to, "--format", "csv", "--out", dir.resolve("nodb").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isNotBlank();
        assertThat(dir.resolve("nodb/manifest.json")).doesNotExist();
    }
}
