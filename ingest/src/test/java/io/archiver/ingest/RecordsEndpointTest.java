package io.archiver.ingest;

import static io.archiver.ingest.FrontendFixture.AUDITOR_TOKEN;
import static io.archiver.ingest.FrontendFixture.INGEST_TOKEN;
import static io.archiver.ingest.FrontendFixture.assertDepthStays;
import static io.archiver.ingest.FrontendFixture.awaitDepth;
import static io.archiver.ingest.FrontendFixture.post;
import static io.archiver.ingest.FrontendFixture.postJson;
import static io.archiver.ingest.FrontendFixture.settledDepth;
import static io.archiver.ingest.TestRecords.JSON;
import static io.archiver.ingest.TestRecords.array;
import static io.archiver.ingest.TestRecords.ndjson;
import static io.archiver.ingest.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/records} against a real front-end (its archive is down, so what is accepted stays in
 * the spool and the depth shows exactly what was spooled): every validation rule of contract section 2
 * and the status codes 202, 400, 401, 403, 413 and 415.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordsEndpointTest {

    private static final int MAX_RECORDS = 20;
    private static final int MAX_BYTES = 256 * 1024;

    @TempDir
    static Path dir;

    private FrontendService frontend;
    private int port;

    @BeforeAll
    void start() throws Exception {
        Map<String, String> settings = FrontendFixture.settings(dir, FrontendFixture.freePort());
        settings.put("ingest.maxRecords", Integer.toString(MAX_RECORDS));
        settings.put("ingest.maxBytes", Integer.toString(MAX_BYTES));
        frontend = FrontendService.start(FrontendFixture.config(settings));
        port = frontend.httpPort();
    }

    @AfterAll
    void stop() {
        if (frontend != null) {
            frontend.close();
        }
    }

    // ---- 202 ----

    @Test
    void oneRecordObjectIsAcceptedAndSpooled() throws Exception {
        long before = settledDepth(frontend::spoolDepth);
        HttpResponse<String> response = postJson(port, record().toString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).get("accepted").asInt()).isEqualTo(1);
        awaitDepth(frontend::spoolDepth, before + 1);
    }

    @Test
    void anArrayIsAcceptedAsOneSpoolMessage() throws Exception {
        long before = settledDepth(frontend::spoolDepth);
        HttpResponse<String> response = postJson(port, array(List.of(record(), record(), record())));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).get("accepted").asInt()).isEqualTo(3);
        awaitDepth(frontend::spoolDepth, before + 1);
    }

    @Test
    void ndjsonWithCharsetAndBlankLinesIsAccepted() throws Exception {
        String body = record() + "\n\n" + record() + "\r\n" + record() + "\n";
        HttpResponse<String> response = post(port, "application/x-ndjson; charset=UTF-8", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).get("accepted").asInt()).isEqualTo(3);
    }

    @Test
    void sessionEventsMayHaveNoRecipientsAndNoBody() {
        ObjectNode start = record().put("kind", "session-start");
        start.putArray("to");
        start.remove("body");
        ObjectNode join = record().put("kind", "join");
        join.remove("to");
        join.remove("body");
        ObjectNode defaults = record();
        defaults.remove("kind");
        defaults.remove("contentType");
        defaults.remove("external");
        HttpResponse<String> response = postJson(port, array(List.of(start, join, defaults)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    @Test
    void everyAcceptedContentTypeAndKindIsAccepted() {
        List<ObjectNode> records = new ArrayList<>();
        for (String contentType : List.of("text/plain", "text/html", "text/rtf", "text/x-msmsgsinvite")) {
            records.add(record().put("contentType", contentType));
        }
        for (String kind : List.of("message", "conference-message", "session-start", "session-end", "join", "leave")) {
            records.add(record().put("kind", kind));
        }
        records.add(record().put("sentAt", "2026-01-01T10:15:30+02:00"));
        records.add(record().put("sentAt", Instant.now().plus(Duration.ofMinutes(4)).toString()));
        records.add(record().put("id", "A-z_0.9:x@y-" + "a".repeat(116)));
        records.add(record().put("conversationId", "sip:conf@example.com;gruu;opaque=app:conf:focus:id:ABC"));
        records.add(withBodyBytes(64 * 1024));
        HttpResponse<String> response = postJson(port, array(records));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    @Test
    void xmppParticipantsAreAcceptedBesideSipOnes() {
        ObjectNode chat = record().put("from", "xmpp:alice@Lab.Example");
        chat.putArray("to").add("xmpp:bob@lab.example").add("sip:carol@example.com");
        ObjectNode room = record().put("kind", "conference-message").put("conversationId", "xmpp:room@conference.lab.example")
                .put("from", "xmpp:дима@lab.example");
        room.putArray("to").add("xmpp:room@conference.lab.example");
        HttpResponse<String> response = postJson(port, array(List.of(chat, room)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    // ---- 400: one rule at a time, as the second record of an array ----

    static Stream<Arguments> invalidRecords() {
        return Stream.of(
                invalid("unknown field", "subject", r -> r.put("subject", "hi")),
                invalid("id missing", "id", r -> r.remove("id")),
                invalid("id with a space", "id", r -> r.put("id", "a b")),
                invalid("id with a slash", "id", r -> r.put("id", "a/b")),
                invalid("id empty", "id", r -> r.put("id", "")),
                invalid("id of 129 chars", "id", r -> r.put("id", "a".repeat(129))),
                invalid("id not a string", "id", r -> r.put("id", 42)),
                invalid("conversationId missing", "conversationId", r -> r.remove("conversationId")),
                invalid("conversationId with a control char", "conversationId", r -> r.put("conversationId", "conv\u0007x")),
                invalid("conversationId with a newline", "conversationId", r -> r.put("conversationId", "conv\nx")),
                invalid("conversationId of 257 chars", "conversationId", r -> r.put("conversationId", "c".repeat(257))),
                invalid("bad kind", "kind", r -> r.put("kind", "chat")),
                invalid("sentAt missing", "sentAt", r -> r.remove("sentAt")),
                invalid("sentAt without an offset", "sentAt", r -> r.put("sentAt", "2026-11-24T10:15:30")),
                invalid("sentAt not a date", "sentAt", r -> r.put("sentAt", "yesterday")),
                invalid("sentAt 10 minutes in the future", "sentAt", r -> r.put("sentAt", Instant.now().plus(Duration.ofMinutes(10)).toString())),
                invalid("from missing", "from", r -> r.remove("from")),
                invalid("from without sip:", "from", r -> r.put("from", "alice@example.com")),
                invalid("from without a domain", "from", r -> r.put("from", "sip:alice")),
                invalid("from a tel URI", "from", r -> r.put("from", "tel:+4930123")),
                invalid("from a full JID with a resource", "from", r -> r.put("from", "xmpp:alice@lab.example/phone")),
                invalid("from an XMPP domain alone", "from", r -> r.put("from", "xmpp:lab.example")),
                invalid("from an XMPP localpart with a space", "from", r -> r.put("from", "xmpp:al ice@lab.example")),
                invalid("a bad recipient", "to[1]", r -> r.putArray("to").add("sip:bob@example.com").add("bob")),
                invalid("to empty for a message", "to", r -> r.putArray("to")),
                invalid("to missing for a message", "to", r -> r.remove("to")),
                invalid("to empty for a conference message", "to", r -> r.put("kind", "conference-message").putArray("to")),
                invalid("to not an array", "to", r -> r.put("to", "sip:bob@example.com")),
                invalid("bad content type", "contentType", r -> r.put("contentType", "application/pdf")),
                invalid("body missing for a message", "body", r -> r.remove("body")),
                invalid("body with NUL", "body", r -> r.put("body", "before\u0000after")),
                invalid("body over 64 KiB", "body", r -> r.put("body", "y".repeat(64 * 1024 + 1))),
                invalid("body over 64 KiB of UTF-8", "body", r -> r.put("body", "\u00e9".repeat(32 * 1024 + 1))),
                invalid("external not a boolean", "external", r -> r.put("external", "yes")));
    }

    private static Arguments invalid(String rule, String field, Consumer<ObjectNode> breakIt) {
        return Arguments.of(rule, field, breakIt);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRecords")
    void anInvalidRecordRefusesTheWholeRequest(String rule, String field, Consumer<ObjectNode> breakIt) throws Exception {
        ObjectNode bad = record();
        breakIt.accept(bad);
        long before = settledDepth(frontend::spoolDepth);

        HttpResponse<String> response = postJson(port, array(List.of(record(), bad, record())));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).contains("nothing was spooled");
        assertThat(body.get("details")).isNotEmpty();
        assertThat(body.get("details")).allSatisfy(detail -> {
            assertThat(detail.get("index").asInt()).isEqualTo(1);
            assertThat(detail.get("reason").asText()).isNotBlank();
        });
        assertThat(body.get("details")).anySatisfy(detail -> assertThat(detail.get("field").asText()).isEqualTo(field));
        assertDepthStays(frontend::spoolDepth, before);
    }

    @Test
    void everyInvalidRecordIsReportedWithItsIndex() throws Exception {
        HttpResponse<String> response = postJson(port, array(List.of(
                record().put("kind", "chat"), record(), record().put("from", "nobody").put("contentType", "x/y"))));
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode details = JSON.readTree(response.body()).get("details");
        assertThat(details).extracting(d -> d.get("index").asInt() + ":" + d.get("field").asText())
                .containsExactlyInAnyOrder("0:kind", "2:from", "2:contentType");
    }

    @Test
    void invalidJsonIsRefused() throws Exception {
        long before = settledDepth(frontend::spoolDepth);
        HttpResponse<String> response = postJson(port, "[" + record() + ", {\"id\": ");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).contains("not valid JSON");
        assertThat(body.get("details").get(0).has("index")).isTrue();
        assertDepthStays(frontend::spoolDepth, before);
    }

    @Test
    void aJsonValueThatIsNotARecordIsRefused() {
        assertThat(postJson(port, "\"just a string\"").statusCode()).isEqualTo(400);
        assertThat(postJson(port, "[1, 2]").statusCode()).isEqualTo(400);
        assertThat(postJson(port, "[]").statusCode()).isEqualTo(400);
        assertThat(postJson(port, "").statusCode()).isEqualTo(400);
        assertThat(postJson(port, record() + " " + record()).statusCode()).isEqualTo(400);
    }

    @Test
    void duplicateKeysAreRefused() {
        String body = record().toString().replaceFirst("\\{", "{\"body\":\"first\",");
        assertThat(postJson(port, body).statusCode()).isEqualTo(400);
    }

    @Test
    void invalidUtf8IsRefused() throws Exception {
        long before = settledDepth(frontend::spoolDepth);
        byte[] valid = record().put("body", "MARKER").toString().getBytes(StandardCharsets.UTF_8);
        String text = new String(valid, StandardCharsets.UTF_8);
        int at = text.indexOf("MARKER");
        byte[] broken = valid.clone();
        broken[at] = (byte) 0xC3;
        broken[at + 1] = (byte) 0x28;
        HttpResponse<String> response = post(port, INGEST_TOKEN, "application/json", broken);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("UTF-8");
        assertDepthStays(frontend::spoolDepth, before);
    }

    @Test
    void ndjsonWithOneBadLineRefusesTheWholeRequest() throws Exception {
        long before = settledDepth(frontend::spoolDepth);
        HttpResponse<String> response = post(port, "application/x-ndjson",
                ndjson(List.of(record(), record().put("from", "alice"), record())));
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode detail = JSON.readTree(response.body()).get("details").get(0);
        assertThat(detail.get("index").asInt()).isEqualTo(1);
        assertThat(detail.get("field").asText()).isEqualTo("from");

        HttpResponse<String> brokenLine = post(port, "application/x-ndjson", record() + "\n{not json\n" + record() + "\n");
        assertThat(brokenLine.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(brokenLine.body()).get("error").asText()).contains("line 2");
        assertDepthStays(frontend::spoolDepth, before);
    }

    // ---- 400: a body that is not JSON, said in our words ----

    static Stream<Arguments> malformedBodies() {
        return Stream.of(
                Arguments.of("unexpected character", "{\"id\": \"r-1\" x}", "line 1, column 14: expected ',' or '}' after a field value, found 'x'"),
                Arguments.of("unexpected end of input", "{\"id\": ", "line 1, column 8: unexpected end of input: an object opened at line 1, column 1 is not closed"),
                Arguments.of("unclosed array", "[{\"id\": \"r-1\"},", "line 1, column 16: unexpected end of input: an array opened at line 1, column 1 is not closed"),
                Arguments.of("trailing comma in an object", "{\"id\": \"r-1\",}", "line 1, column 14: expected a field name after ',' (a trailing comma is not allowed), found '}'"),
                Arguments.of("trailing comma in an array", "[{\"id\": \"r-1\"},]", "line 1, column 16: expected a value"),
                Arguments.of("invalid escape", "{\"id\": \"r\\x1\"}", "line 1, column 11: invalid escape '\\x' in a string"),
                Arguments.of("unquoted field name", "{id: 1}", "line 1, column 2: expected a field name in double quotes, found 'i'"),
                Arguments.of("wrong closing bracket", "{\"to\": [\"sip:bob@example.com\"}", "line 1, column 30: expected ']' to close the array opened at line 1, column 8, found '}'"),
                Arguments.of("on the second line", "{\n\"id\": tru}", "line 2, column 7: expected a value (a string, number, object, array, true, false or null), found 'tru'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedBodies")
    void aMalformedBodyIsRefusedInOurWords(String what, String body, String expected) throws Exception {
        long before = settledDepth(frontend::spoolDepth);
        HttpResponse<String> response = postJson(port, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode answer = JSON.readTree(response.body());
        String error = answer.get("error").asText();
        assertThat(error).startsWith("body is not valid JSON: " + expected).contains("nothing was spooled");
        assertThat(response.body()).doesNotContain("REDACTED", "Source:", "StreamReadFeature", "(code ");
        assertThat(answer.get("details").get(0).get("reason").asText()).startsWith("body is not valid JSON: " + expected);
        assertDepthStays(frontend::spoolDepth, before);
    }

    @Test
    void invalidUtf8NamesTheByteInOurWords() throws Exception {
        byte[] broken = "{\"id\": \"MARKER\"}".getBytes(StandardCharsets.UTF_8);
        broken[8] = (byte) 0xC3;
        broken[9] = (byte) 0x28;
        HttpResponse<String> response = post(port, INGEST_TOKEN, "application/json", broken);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText())
                .startsWith("body is not valid UTF-8: invalid UTF-8 at byte 10 (line 1): byte 0x28 cannot continue a multi-byte character");
        assertThat(response.body()).doesNotContain("REDACTED", "Source:", "StreamReadFeature");
    }

    @Test
    void aBrokenNdjsonLineIsRefusedInOurWords() throws Exception {
        HttpResponse<String> response = post(port, "application/x-ndjson", record() + "\n{\"id\" \"x\"}\n");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText())
                .startsWith("body is not valid JSON: line 2, column 7: expected ':' after a field name, found '\"'");
        assertThat(response.body()).doesNotContain("REDACTED", "Source:", "StreamReadFeature");
    }

    // ---- 401 / 403 ----

    @Test
    void noTokenIs401() {
        HttpResponse<String> response = post(port, null, "application/json", record().toString().getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void unknownTokenIs401() {
        assertThat(post(port, "not-a-token", "application/json", record().toString().getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(401);
    }

    @Test
    void tokenWithoutTheIngestRoleIs403() {
        long before = settledDepth(frontend::spoolDepth);
        HttpResponse<String> response = post(port, AUDITOR_TOKEN, "application/json", record().toString().getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(403);
        assertDepthStays(frontend::spoolDepth, before);
    }

    // ---- 413 ----

    @Test
    void tooManyRecordsIs413() throws Exception {
        long before = settledDepth(frontend::spoolDepth);
        HttpResponse<String> response = postJson(port, array(TestRecords.many(MAX_RECORDS + 1, 10)));
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("ingest.maxRecords");
        assertThat(postJson(port, array(TestRecords.many(MAX_RECORDS, 10))).statusCode()).isEqualTo(202);
        awaitDepth(frontend::spoolDepth, before + 1);
    }

    @Test
    void tooManyBytesWithContentLengthIs413() throws Exception {
        long before = settledDepth(frontend::spoolDepth);
        HttpResponse<String> response = postJson(port, array(List.of(record().put("pad", "p".repeat(MAX_BYTES)))));
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("ingest.maxBytes");
        assertDepthStays(frontend::spoolDepth, before);
    }

    @Test
    void tooManyBytesWithoutContentLengthIs413() throws Exception {
        byte[] body = TestRecords.ndjson(TestRecords.many(8, 40_000)).getBytes(StandardCharsets.UTF_8);
        assertThat(body.length).isGreaterThan(MAX_BYTES);
        HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/records"))
                .header("Authorization", "Bearer " + INGEST_TOKEN)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        HttpResponse<String> response = FrontendFixture.send(chunked);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("ingest.maxBytes");
    }

    // ---- 415 ----

    @Test
    void otherContentTypesAre415() {
        byte[] body = record().toString().getBytes(StandardCharsets.UTF_8);
        assertThat(post(port, INGEST_TOKEN, "text/plain", body).statusCode()).isEqualTo(415);
        assertThat(post(port, INGEST_TOKEN, "application/xml", body).statusCode()).isEqualTo(415);
        assertThat(post(port, INGEST_TOKEN, null, body).statusCode()).isEqualTo(415);
        assertThat(post(port, INGEST_TOKEN, "application/json; charset=ISO-8859-1", body).statusCode()).isEqualTo(415);
        assertThat(post(port, INGEST_TOKEN, "Application/JSON; charset=\"utf-8\"", body).statusCode()).isEqualTo(202);
    }

    // ---- 404 / 405 ----

    @Test
    void anUnknownPathIsAJson404() throws Exception {
        HttpResponse<String> response = FrontendFixture.get(port, "/v1/nope");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("no such endpoint: GET /v1/nope");
    }

    @Test
    void aWrongMethodOnTheRecordsPathIsAJson405WithAllow() throws Exception {
        HttpRequest put = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/records"))
                .header("Authorization", "Bearer " + INGEST_TOKEN)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(record().toString()))
                .build();
        HttpResponse<String> response = FrontendFixture.send(put);
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("method PUT not allowed on /v1/records");
        assertThat(body.get("allowed")).extracting(JsonNode::asText).containsExactly("POST");

        HttpResponse<String> get = FrontendFixture.get(port, "/v1/records");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(JSON.readTree(get.body()).get("error").asText()).isEqualTo("method GET not allowed on /v1/records");
    }

    // ---- health and metrics ----

    @Test
    void readinessReportsTheSpoolAndTheArchive() throws Exception {
        HttpResponse<String> response = FrontendFixture.get(port, "/health/ready");
        assertThat(response.statusCode()).as("critical mode is off: an unreachable archive does not stop intake").isEqualTo(200);
        JsonNode checks = JSON.readTree(response.body()).get("checks");
        assertThat(checks.get("spoolBroker").asText()).isEqualTo("UP");
        assertThat(checks.get("archiveReachable").asBoolean()).isFalse();
        assertThat(checks.has("spoolDepth")).isTrue();
        assertThat(checks.has("spoolBytes")).isTrue();
        assertThat(FrontendFixture.get(port, "/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsCountAcceptedRecordsAndRefusedRequests() {
        postJson(port, array(List.of(record(), record())));
        postJson(port, array(List.of(record().put("kind", "chat"))));
        String metrics = FrontendFixture.get(port, "/metrics").body();
        assertThat(metrics).contains("archiver_records_accepted_total");
        assertThat(metrics).containsPattern("archiver_requests_refused_total\\{[^}]*status=\"400\"");
        assertThat(metrics).contains("archiver_spool_depth");
        assertThat(metrics).contains("archiver_spool_bytes");
        assertThat(metrics).containsPattern("archiver_archive_reachable\\{[^}]*\\} 0");
    }

    private static ObjectNode withBodyBytes(int bytes) {
        return record().put("body", "z".repeat(bytes));
    }
}
