package io.archiver.compliance.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.auth.TokenStore;
import io.archiver.core.http.BearerAuth;
import io.archiver.core.http.Health;
import io.archiver.core.http.HttpServer;
import io.archiver.core.metrics.Metrics;
import io.archiver.store.AuditLog;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/exports} through the real HTTP listener: roles, validation, the job's state and files, and jobs resumed after a restart. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportRoutesTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private static final String INGEST = "tok-ingest-x";
    private static final String AUDITOR = "tok-auditor-x";
    private static final String ADMIN = "tok-admin-x";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Exporter.Options OPTIONS = new Exporter.Options(50_000, 1L << 30, false);

    @TempDir
    static Path dir;

    private HikariDataSource db;
    private ExportJobs jobs;
    private HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private String base;

    @BeforeAll
    void start() throws Exception {
        db = Database.open(PG.config(PG.createDatabase()), "export-routes");
        Migrations.migrate(db);
        ExportFixture.standard().writeTo(db);
        Path tokens = Files.writeString(dir.resolve("tokens"), INGEST + " ingest fe-1\n" + AUDITOR + " auditor audit-anna\n" + ADMIN + " admin admin-otto\n");
        BearerAuth auth = new BearerAuth(TokenStore.load(tokens));
        jobs = new ExportJobs(db, null, OPTIONS, "node-a", dir.resolve("exports"), 1);
        server = HttpServer.start("127.0.0.1", 0, Metrics.newRegistry("node", "test"), () -> new Health(true, Map.of()),
                app -> ExportRoutes.register(app, auth, jobs, new AuditLog(db)));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    void stop() {
        server.close();
        jobs.close();
        db.close();
    }

    private HttpResponse<String> post(String token, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + "/v1/exports")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> get(String token, String path) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).GET();
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode status(String id) throws Exception {
        HttpResponse<byte[]> r = get(AUDITOR, "/v1/exports/" + id);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private JsonNode awaitDone(String id) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> status(id),
                s -> !s.get("state").asText().equals("queued") && !s.get("state").asText().equals("running"));
    }

    private static final String QUERY = "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11T00:00:00Z\", \"format\": \"jsonl\"}";

    @Test
    void rolesAndMarkExportedOnlyForAdmins() throws Exception {
        assertThat(post(null, QUERY).statusCode()).isEqualTo(401);
        assertThat(post(INGEST, QUERY).statusCode()).isEqualTo(403);
        HttpResponse<String> auditorMarks = post(AUDITOR, QUERY.replace("}", ", \"markExported\": true}"));
        assertThat(auditorMarks.statusCode()).isEqualTo(403);
        assertThat(auditorMarks.body()).contains("markExported needs an admin token");
        assertThat(get(INGEST, "/v1/exports/00000000-0000-0000-0000-000000000000").statusCode()).isEqualTo(403);
        assertThat(get(AUDITOR, "/v1/exports/00000000-0000-0000-0000-000000000000").statusCode()).isEqualTo(404);
        assertThat(get(AUDITOR, "/v1/exports/42").statusCode()).isEqualTo(400);

        HttpResponse<String> adminMarks = post(ADMIN, "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11\", \"format\": \"csv\", "
                + "\"conversations\": [\"" + ExportFixture.OTHER + "\"], \"markExported\": true}");
        assertThat(adminMarks.statusCode()).as(adminMarks.body()).isEqualTo(202);
        JsonNode done = awaitDone(JSON.readTree(adminMarks.body()).get("id").asText());
        assertThat(done.get("state").asText()).isEqualTo("done");
        assertThat(done.get("markedExported").asLong()).isEqualTo(2);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE exported_at IS NOT NULL")).isEqualTo(2);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.audit_log WHERE actor = 'audit-anna' AND action = 'export.request' "
                + "AND (result->>'status')::int = 403")).isEqualTo(1);
    }

    @Test
    void badRequestsNameTheField() throws Exception {
        assertThat(post(AUDITOR, "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11\", \"format\": \"pdf\", \"since\": 1}").body())
                .contains("\"field\":\"since\"").contains("unknown field").contains("\"field\":\"format\"");
        assertThat(post(AUDITOR, "{\"from\": \"yesterday\", \"format\": \"csv\"}").body())
                .contains("from 'yesterday' is not a time").contains("\"field\":\"to\"");
        assertThat(post(AUDITOR, "{\"from\": \"2026-03-11\", \"to\": \"2026-03-10\", \"format\": \"csv\"}").body())
                .contains("from must be before to");
        assertThat(post(AUDITOR, "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11\", \"format\": \"csv\", \"participants\": [\"bob\"]}").body())
                .contains("participants 'bob' is not a SIP URI");
        assertThat(post(AUDITOR, "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11\", \"format\": \"csv\", \"participants\": \"sip:a@b.c\"}").body())
                .contains("must be an array of strings");
        assertThat(post(AUDITOR, "[").statusCode()).isEqualTo(400);
        assertThat(post(AUDITOR, "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11\", \"format\": \"csv\", \"markExported\": \"yes\"}").statusCode())
                .isEqualTo(400);
    }

    @Test
    void aJobRunsAndItsFilesDownloadWithTheManifestsSha256() throws Exception {
        HttpResponse<String> accepted = post(AUDITOR, QUERY);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asText();
        assertThat(accepted.headers().firstValue("Location")).contains("/v1/exports/" + id);

        JsonNode done = awaitDone(id);
        assertThat(done.get("state").asText()).isEqualTo("done");
        long records = ExportFixture.standard().inRange().size();
        assertThat(done.get("progress").get("records").asLong()).isEqualTo(records);
        assertThat(done.get("progress").get("total").asLong()).isEqualTo(records);
        assertThat(done.get("requestedBy").asText()).isEqualTo("audit-anna");
        JsonNode file = done.get("files").get(0);
        assertThat(file.get("name").asText()).isEqualTo("records.jsonl");
        assertThat(file.get("records").asLong()).isEqualTo(records);

        HttpResponse<byte[]> download = get(AUDITOR, "/v1/exports/" + id + "/files/records.jsonl");
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(download.body()))).isEqualTo(file.get("sha256").asText());
        HttpResponse<byte[]> manifest = get(AUDITOR, "/v1/exports/" + id + "/files/manifest.json");
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(manifest.body())))
                .isEqualTo(done.get("manifestSha256").asText());
        assertThat(get(AUDITOR, "/v1/exports/" + id + "/files/other.csv").statusCode()).isEqualTo(404);
        assertThat(get(AUDITOR, "/v1/exports/" + id + "/files/.manifest.json.tmp").statusCode()).isEqualTo(404);
        assertThat(get(AUDITOR, "/v1/exports/" + id + "/files/..%2F..%2Ftokens").statusCode()).isIn(400, 404);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.audit_log WHERE actor = 'audit-anna' AND action = 'export' "
                + "AND (result->>'records')::int = " + records)).isGreaterThanOrEqualTo(1);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.audit_log WHERE action = 'export.download' AND parameters->>'id' = '" + id
                + "' AND (result->>'bytes')::bigint = " + download.body().length)).isEqualTo(1);
    }

    @Test
    void jobsOfADeadNodeAreResumedAtItsStartAndGivenUpAfterThreeAttempts() throws Exception {
        String query = ExportJobs.json(ExportQuery.of(ExportFixture.FROM, ExportFixture.TO, List.of(), List.of(), "eml", false, ExportQuery.Names.JSON));
        Path exports = dir.resolve("exports-b");
        Path interrupted = Files.createDirectories(exports.resolve("11111111-1111-1111-1111-111111111111"));
        Files.writeString(interrupted.resolve(".records.jsonl.tmp"), "half a file");
        Files.writeString(interrupted.resolve("20260310T000000Z-p2p-000000000000.eml"), "from the attempt that died");
        Sql.execute(db, "INSERT INTO archive.exports (id, state, query, requested_by, node, directory, attempts, started_at, records_done) VALUES "
                + "('11111111-1111-1111-1111-111111111111', 'running', '" + query + "', 'audit-anna', 'node-b', '" + interrupted + "', 1, now(), 7), "
                + "('22222222-2222-2222-2222-222222222222', 'running', '" + query + "', 'audit-anna', 'node-b', '" + exports.resolve("2") + "', 3, now(), 0), "
                + "('33333333-3333-3333-3333-333333333333', 'queued', '" + query + "', 'audit-anna', 'node-c', '" + exports.resolve("3") + "', 0, null, 0)");

        assertThat(get(AUDITOR, "/v1/exports/33333333-3333-3333-3333-333333333333/files/manifest.json").statusCode()).isEqualTo(409);

        try (ExportJobs restarted = new ExportJobs(db, null, OPTIONS, "node-b", exports, 1)) {
            restarted.resumeUnfinished();
            await().atMost(Duration.ofSeconds(30)).until(() -> Sql.number(db,
                    "SELECT count(*) FROM archive.exports WHERE node = 'node-b' AND state IN ('queued', 'running')") == 0);
        }
        JsonNode resumed = status("11111111-1111-1111-1111-111111111111");
        assertThat(resumed.get("state").asText()).isEqualTo("done");
        assertThat(resumed.get("attempts").asInt()).isEqualTo(2);
        assertThat(resumed.get("files")).hasSize(3);
        Readback.verifiedFiles(interrupted);
        try (Stream<Path> listing = Files.list(interrupted)) {
            assertThat(listing.map(p -> p.getFileName().toString())).doesNotContain(".records.jsonl.tmp", "20260310T000000Z-p2p-000000000000.eml");
        }
        JsonNode givenUp = status("22222222-2222-2222-2222-222222222222");
        assertThat(givenUp.get("state").asText()).isEqualTo("failed");
        assertThat(givenUp.get("error").asText()).contains("given up after 3 attempts");
        assertThat(status("33333333-3333-3333-3333-333333333333").get("state").asText()).as("another node's job").isEqualTo("queued");

        HttpResponse<byte[]> elsewhere = get(AUDITOR, "/v1/exports/11111111-1111-1111-1111-111111111111/files/manifest.json");
        assertThat(elsewhere.statusCode()).isEqualTo(200);
        Sql.execute(db, "UPDATE archive.exports SET state = 'done', directory = '/nonexistent/x' WHERE id = '33333333-3333-3333-3333-333333333333'");
        HttpResponse<byte[]> otherNode = get(AUDITOR, "/v1/exports/33333333-3333-3333-3333-333333333333/files/manifest.json");
        assertThat(otherNode.statusCode()).isEqualTo(404);
        assertThat(new String(otherNode.body())).contains("on node node-c");
    }
}
