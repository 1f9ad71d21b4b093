package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.archiver.lab.LabPostgres;
import io.archiver.app.support.Records;
import io.archiver.app.support.TestFiles;
import io.archiver.core.config.Config;
import io.archiver.lab.FreePorts;
import io.archiver.ingest.FrontendService;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint of the front-end and the archive node against every kind of caller (contract section 4:
 * ingest; auditor reads, searches and exports; admin is auditor plus holds, purges and drills): no
 * token and an unknown token 401, a token without the role 403, one with it the endpoint's success.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoleMatrixTest {

    @TempDir
    static Path dir;

    private LabPostgres postgres;
    private ArchiveNode node;
    private FrontendService frontend;
    private final HttpClient client = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    /** Made by an admin before the matrix runs: an archived conversation, a hold to read and release, a done export. */
    private String conversation;
    private long holdId;
    private String exportId;

    /** One call: who may make it, and what a caller with the role gets. */
    private record Call(String base, String method, String path, String contentType, String body, String role, int success) {
    }

    @BeforeAll
    void start() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        Path tokens = TestFiles.tokens(dir);
        int broker = FreePorts.any();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("db.url", postgres.jdbcUrl());
        settings.put("db.user", LabPostgres.USER);
        settings.put("http.port", "0");
        settings.put("broker.port", String.valueOf(broker));
        settings.put("broker.dir", dir.resolve("broker").toString());
        settings.put("tokens.file", tokens.toString());
        node = ArchiveNode.start(Config.of(settings));
        frontend = FrontendService.start(Config.of(Map.of("frontend.name", "fe-1", "http.port", "0", "amqp.port", "0",
                "spool.dir", dir.resolve("spool").toString(), "tokens.file", tokens.toString(),
                "archive.brokers", "tcp://127.0.0.1:" + broker)));
        seed();
    }

    /** One archived record, one hold and one finished export, made with the right tokens. */
    private void seed() throws Exception {
        String fe = "http://127.0.0.1:" + frontend.httpPort();
        String nd = "http://127.0.0.1:" + node.node().httpPort();
        String record = new String(new Records("matrix-seed").batches(1, 1).get(0));
        conversation = json.readTree(record).get("conversationId").asText();
        assertThat(send(fe, "POST", "/v1/records", "application/x-ndjson", record, TestFiles.INGEST_TOKEN).statusCode()).isEqualTo(202);
        String query = "/v1/records?conversation=" + encoded(conversation);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                json.readTree(send(nd, "GET", query, null, null, TestFiles.AUDITOR_TOKEN).body()).get("records").size() == 1);
        holdId = json.readTree(send(nd, "POST", "/v1/holds", "application/json",
                "{\"participant\": \"sip:held@example.com\", \"reason\": \"role matrix release\"}", TestFiles.ADMIN_TOKEN).body()).get("id").asLong();
        exportId = json.readTree(send(nd, "POST", "/v1/exports", "application/json", exportBody(false), TestFiles.AUDITOR_TOKEN).body())
                .get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "done".equals(json.readTree(send(nd, "GET", "/v1/exports/" + exportId, null, null, TestFiles.AUDITOR_TOKEN).body())
                        .path("state").asText()));
    }

    /** Conversation ids hold {@code ;}, {@code :} and {@code @}; spaces are not among them. */
    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private String exportBody(boolean markExported) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return "{\"from\": \"" + now.minus(Duration.ofDays(1)) + "\", \"to\": \"" + now.plus(Duration.ofDays(1))
                + "\", \"conversations\": [\"" + conversation + "\"], \"format\": \"jsonl\", \"markExported\": " + markExported + "}";
    }

    @AfterAll
    void stop() throws Exception {
        frontend.close();
        node.close();
        postgres.close();
    }

    private List<Call> calls() {
        String fe = "http://127.0.0.1:" + frontend.httpPort();
        String nd = "http://127.0.0.1:" + node.node().httpPort();
        String record = new String(new Records("matrix").batches(1, 1).get(0));
        List<Call> calls = new ArrayList<>();
        calls.add(new Call(fe, "POST", "/v1/records", "application/x-ndjson", record, "ingest", 202));
        calls.add(new Call(nd, "GET", "/v1/holds", null, null, "auditor", 200));
        calls.add(new Call(nd, "POST", "/v1/holds", "application/json",
                "{\"conversation\": \"matrix-conv\", \"reason\": \"role matrix\"}", "admin", 201));
        calls.add(new Call(nd, "POST", "/v1/purges", "application/json", "{\"olderThanDays\": 60, \"dryRun\": true}", "admin", 200));
        calls.add(new Call(nd, "GET", "/v1/cluster", null, null, "auditor", 200));
        calls.add(new Call(nd, "GET", "/v1/audit?limit=5", null, null, "auditor", 200));
        calls.add(new Call(nd, "GET", "/v1/conflicts?limit=5", null, null, "auditor", 200));
        calls.add(new Call(nd, "GET", "/v1/holds/" + holdId, null, null, "auditor", 200));
        // Only the admin, last in the loop, releases the hold; everyone before it is refused.
        calls.add(new Call(nd, "DELETE", "/v1/holds/" + holdId, null, null, "admin", 200));
        calls.add(new Call(nd, "GET", "/v1/records?limit=5", null, null, "auditor", 200));
        calls.add(new Call(nd, "GET", "/v1/conversations/" + encoded(conversation), null, null, "auditor", 200));
        calls.add(new Call(nd, "POST", "/v1/exports", "application/json", exportBody(false), "auditor", 202));
        // Marking records exported makes them purgeable by exported-only retention: admin only.
        calls.add(new Call(nd, "POST", "/v1/exports", "application/json", exportBody(true), "admin", 202));
        calls.add(new Call(nd, "GET", "/v1/exports/" + exportId, null, null, "auditor", 200));
        calls.add(new Call(nd, "GET", "/v1/exports/" + exportId + "/files/manifest.json", null, null, "auditor", 200));
        return calls;
    }

    @Test
    void everyEndpointAgainstEveryRole() throws Exception {
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("ingest", TestFiles.INGEST_TOKEN);
        tokens.put("auditor", TestFiles.AUDITOR_TOKEN);
        tokens.put("admin", TestFiles.ADMIN_TOKEN);
        List<String> mismatches = new ArrayList<>();
        for (Call call : calls()) {
            expect(mismatches, call, "no token", null, 401);
            expect(mismatches, call, "unknown token", "not-a-token", 401);
            for (Map.Entry<String, String> token : tokens.entrySet()) {
                expect(mismatches, call, token.getKey(), token.getValue(), allowed(call.role(), token.getKey()) ? call.success() : 403);
            }
        }
        assertThat(mismatches).isEmpty();
    }

    /** Admin holds the auditor role too; ingest is its own. */
    private static boolean allowed(String required, String held) {
        return required.equals(held) || (required.equals("auditor") && held.equals("admin"));
    }

    private void expect(List<String> mismatches, Call call, String who, String token, int expected) throws Exception {
        HttpResponse<String> response = send(call.base(), call.method(), call.path(), call.contentType(), call.body(), token);
        if (response.statusCode() != expected) {
            mismatches.add(call.method() + " " + call.path() + " as " + who + ": " + response.statusCode() + " (expected " + expected
                    + ") " + response.body());
        }
    }

    @Test
    void healthAndMetricsNeedNoToken() throws Exception {
        for (String base : List.of("http://127.0.0.1:" + frontend.httpPort(), "http://127.0.0.1:" + node.node().httpPort())) {
            for (String path : List.of("/health/live", "/health/ready", "/metrics")) {
                assertThat(send(base, "GET", path, null, null, null).statusCode()).as(base + path).isEqualTo(200);
            }
        }
    }

    private HttpResponse<String> send(String base, String method, String path, String contentType, String body, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
