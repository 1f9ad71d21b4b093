package io.archiver.compliance.export;

import static io.archiver.store.testing.ApiServer.ADMIN;
import static io.archiver.store.testing.ApiServer.AUDITOR;
import static io.archiver.store.testing.ApiServer.INGEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.store.AuditLog;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import io.archiver.store.testing.ApiServer;
import io.archiver.store.testing.ApiServer.ApiResponse;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
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

    private static final Exporter.Options OPTIONS = new Exporter.Options(50_000, 1L << 30, false);

    @TempDir
    static Path dir;

    private HikariDataSource db;
    private ExportJobs jobs;
    private ApiServer api;

    @BeforeAll
    void start() throws Exception {
        db = Database.open(PG.config(PG.createDatabase()), "export-routes");
        Migrations.migrate(db);
        ExportFixture.standard().writeTo(db);
        jobs = new ExportJobs(db, null, OPTIONS, "node-a", dir.resolve("exports"), 1);
        api = ApiServer.start(dir, (app, auth) -> ExportRoutes.register(app, auth, jobs, new AuditLog(db)));
    }

    @AfterAll
    void stop() {
        api.close();
        jobs.close();
        db.close();
    }

    private ApiResponse post(String token, String body) throws Exception {
        return api.post("/v1/exports", token, body);
    }

    private JsonNode status(String id) throws Exception {
        ApiResponse r = api.get("/v1/exports/" + id, AUDITOR);
        assertThat(r.status()).isEqualTo(200);
        return r.body();
    }

    private JsonNode awaitDone(String id) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> status(id),
                s -> !s.get("state").asText().equals("queued") && !s.get("state").asText().equals("running"));
    }

    private static final String QUERY = "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11T00:00:00Z\", \"format\": \"jsonl\"}";

    @Test
    void rolesAndMarkExportedOnlyForAdmins() throws Exception {
        assertThat(post(null, QUERY).status()).isEqualTo(401);
        assertThat(post(INGEST, QUERY).status()).isEqualTo(403);
        ApiResponse auditorMarks = post(AUDITOR, QUERY.replace("}", ", \"markExported\": true}"));
        assertThat(auditorMarks.status()).isEqualTo(403);
        assertThat(auditorMarks.raw().body()).contains("markExported needs an admin token");
        assertThat(api.get("/v1/exports/00000000-0000-0000-0000-000000000000", INGEST).status()).isEqualTo(403);
        assertThat(api.get("/v1/exports/00000000-0000-0000-0000-000000000000", AUDITOR).status()).isEqualTo(404);
        assertThat(api.get("/v1/exports/42", AUDITOR).status()).isEqualTo(400);

        ApiResponse adminMarks = post(ADMIN, "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11\", \"format\": \"csv\", "
                + "\"conversations\": [\"" + ExportFixture.OTHER + "\"], \"markExported\": true}");
        assertThat(adminMarks.status()).as(adminMarks.raw().body()).isEqualTo(202);
        JsonNode done = awaitDone(adminMarks.body().get("id").asText());
        assertThat(done.get("state").asText()).isEqualTo("done");
        assertThat(done.get("markedExported").asLong()).isEqualTo(2);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE exported_at IS NOT NULL")).isEqualTo(2);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.audit_log WHERE actor = 'audit-anna' AND action = 'export.request' "
                + "AND (result->>'status')::int = 403")).isEqualTo(1);
    }

    @Test
    void anUnknownPathAndAWrongMethodAnswerJsonOnTheNode() throws Exception {
        ApiResponse unknown = api.get("/v1/nope", AUDITOR);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.raw().headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(unknown.body().get("error").asText()).isEqualTo("no such endpoint: GET /v1/nope");

        ApiResponse wrong = api.send("PUT", "/v1/exports", AUDITOR, QUERY);
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.raw().headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(wrong.body().get("error").asText()).isEqualTo("method PUT not allowed on /v1/exports");
        assertThat(wrong.body().get("allowed")).extracting(JsonNode::asText).containsExactly("POST");
        assertThat(wrong.raw().headers().firstValue("Allow")).hasValue("POST");

        ApiResponse delete = api.delete("/v1/exports/00000000-0000-0000-0000-000000000000", ADMIN);
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.body().get("allowed")).extracting(JsonNode::asText).contains("GET").doesNotContain("DELETE");
    }

    @Test
    void badRequestsNameTheField() throws Exception {
        assertThat(post(AUDITOR, "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11\", \"format\": \"pdf\", \"since\": 1}").raw().body())
                .contains("\"field\":\"since\"").contains("unknown field").contains("\"field\":\"format\"");
        assertThat(post(AUDITOR, "{\"from\": \"yesterday\", \"format\": \"csv\"}").raw().body())
                .contains("from 'yesterday' is not a time").contains("\"field\":\"to\"");
        assertThat(post(AUDITOR, "{\"from\": \"2026-03-11\", \"to\": \"2026-03-10\", \"format\": \"csv\"}").raw().body())
                .contains("from must be before to");
        assertThat(post(AUDITOR, "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11\", \"format\": \"csv\", \"participants\": [\"bob\"]}").raw().body())
                .contains("participants 'bob' is not a SIP URI");
        assertThat(post(AUDITOR, "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11\", \"format\": \"csv\", \"participants\": \"sip:a@b.c\"}").raw().body())
                .contains("must be an array of strings");
        assertThat(post(AUDITOR, "[").status()).isEqualTo(400);
        assertThat(post(AUDITOR, "{\"from\": \"2026-03-10\", \"to\": \"2026-03-11\", \"format\": \"csv\", \"markExported\": \"yes\"}").status())
                .isEqualTo(400);
    }

    @Test
    void aJobRunsAndItsFilesDownloadWithTheManifestsSha256() throws Exception {
        ApiResponse accepted = post(AUDITOR, QUERY);
        assertThat(accepted.status()).as(accepted.raw().body()).isEqualTo(202);
        String id = accepted.body().get("id").asText();
        assertThat(accepted.raw().headers().firstValue("Location")).contains("/v1/exports/" + id);

        JsonNode done = awaitDone(id);
        assertThat(done.get("state").asText()).isEqualTo("done");
        long records = ExportFixture.standard().inRange().size();
        assertThat(done.get("progress").get("records").asLong()).isEqualTo(records);
        assertThat(done.get("progress").get("total").asLong()).isEqualTo(records);
        assertThat(done.get("requestedBy").asText()).isEqualTo("audit-anna");
        JsonNode file = done.get("files").get(0);
        assertThat(file.get("name").asText()).isEqualTo("records.jsonl");
        assertThat(file.get("records").asLong()).isEqualTo(records);

        HttpResponse<byte[]> download = api.getBytes("/v1/exports/" + id + "/files/records.jsonl", AUDITOR);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(download.body()))).isEqualTo(file.get("sha256").asText());
        HttpResponse<byte[]> manifest = api.getBytes("/v1/exports/" + id + "/files/manifest.json", AUDITOR);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(manifest.body())))
                .isEqualTo(done.get("manifestSha256").asText());
        assertThat(api.get("/v1/exports/" + id + "/files/other.csv", AUDITOR).status()).isEqualTo(404);
        assertThat(api.get("/v1/exports/" + id + "/files/.manifest.json.tmp", AUDITOR).status()).isEqualTo(404);
        assertThat(api.get("/v1/exports/" + id + "/files/..%2F..%2Ftokens", AUDITOR).status()).isIn(400, 404);
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

        assertThat(api.get("/v1/exports/33333333-3333-3333-3333-333333333333/files/manifest.json", AUDITOR).status()).isEqualTo(409);

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

        HttpResponse<byte[]> elsewhere = api.getBytes("/v1/exports/11111111-1111-1111-1111-111111111111/files/manifest.json", AUDITOR);
        assertThat(elsewhere.statusCode()).isEqualTo(200);
        Sql.execute(db, "UPDATE archive.exports SET state = 'done', directory = '/nonexistent/x' WHERE id = '33333333-3333-3333-3333-333333333333'");
        HttpResponse<byte[]> otherNode = api.getBytes("/v1/exports/33333333-3333-3333-3333-333333333333/files/manifest.json", AUDITOR);
        assertThat(otherNode.statusCode()).isEqualTo(404);
        assertThat(new String(otherNode.body())).contains("on node node-c");
    }
}
