package io.archiver.compliance.search;

import static io.archiver.store.testing.ApiServer.ADMIN;
import static io.archiver.store.testing.ApiServer.AUDITOR;
import static io.archiver.store.testing.ApiServer.INGEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.AuditLog;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import io.archiver.store.testing.ApiServer;
import io.archiver.store.testing.ApiServer.ApiResponse;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/records} and {@code /v1/conversations/{id}} through the real HTTP listener, token file and PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchRoutesTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-04-06T07:00:00Z");

    @TempDir
    static Path dir;

    private HikariDataSource dataSource;
    private ArchiveWriter writer;
    private ApiServer api;

    @BeforeAll
    void start() throws Exception {
        dataSource = Database.open(PG.config(PG.createDatabase()), "test");
        Migrations.migrate(dataSource);
        writer = new ArchiveWriter(dataSource);
        api = ApiServer.start(dir, (app, auth) -> SearchRoutes.register(app, auth, new RecordSearch(dataSource), new AuditLog(dataSource)));
    }

    @AfterAll
    void stop() {
        api.close();
        dataSource.close();
    }

    @BeforeEach
    void empty() {
        Sql.execute(dataSource, "TRUNCATE archive.messages, archive.message_ids, archive.audit_log RESTART IDENTITY");
    }

    private static String query(Map<String, String> parameters) {
        List<String> parts = new ArrayList<>();
        parameters.forEach((k, v) -> parts.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return parts.isEmpty() ? "" : "?" + String.join("&", parts);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private List<Map<String, Object>> audit() {
        return Sql.rows(dataSource, "SELECT actor, action, parameters::text AS parameters, result::text AS result FROM archive.audit_log ORDER BY id");
    }

    private static List<String> ids(JsonNode records) {
        List<String> ids = new ArrayList<>();
        records.forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }

    @Test
    void roleMatrix() throws Exception {
        SearchData.write(writer, SearchData.world("r", 20, START, 1));
        String conversation = "/v1/conversations/dlg-1";
        for (String path : List.of("/v1/records", "/v1/records?q=report", conversation)) {
            for (String token : new String[] {null, "not-a-token"}) {
                ApiResponse refused = api.get(path, token);
                assertThat(refused.status()).as(path).isEqualTo(401);
                assertThat(refused.raw().headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
            }
            ApiResponse ingest = api.get(path, INGEST);
            assertThat(ingest.status()).as(path).isEqualTo(403);
            assertThat(ingest.body().get("error").asText()).contains("needs role auditor");
            assertThat(api.get(path, AUDITOR).status()).as(path).isEqualTo(200);
            assertThat(api.get(path, ADMIN).status()).as(path).isEqualTo(200);
        }
        // Refused tokens leave no audit row; each accepted call is there under its token's name.
        assertThat(audit()).extracting(r -> r.get("actor") + " " + r.get("action")).containsExactly(
                "audit-anna search", "admin-otto search", "audit-anna search", "admin-otto search",
                "audit-anna conversation", "admin-otto conversation");
    }

    @Test
    void aRecordHasTheContractFieldsAndTheArchivesOwn() throws Exception {
        Instant receivedAt = Instant.parse("2026-04-06T07:00:02.25Z");
        ArchiveRecord message = new ArchiveRecord("j-1", "dlg-j", Kind.MESSAGE, START.plusNanos(120_000), "sip:alice@example.com",
                List.of("sip:bob@example.com"), "text/plain", "Привет 👋 \"quoted\" <b>x</b>", true);
        ArchiveRecord event = new ArchiveRecord("j-2", "dlg-j", Kind.JOIN, START.plusSeconds(3), "sip:bob@example.com", List.of(),
                "text/plain", null, false);
        SearchData.write(writer, List.of(message, event), "fe-9", receivedAt);
        Sql.execute(dataSource, "UPDATE archive.messages SET exported_at = '2026-04-07T01:02:03.5Z' WHERE record_id = 'j-2'");

        ApiResponse page = api.get("/v1/records?conversation=dlg-j", AUDITOR);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw().headers().firstValue("Content-Type")).get().asString().startsWith("application/json");
        List<String> topLevel = new ArrayList<>();
        page.body().fieldNames().forEachRemaining(topLevel::add);
        assertThat(topLevel).containsExactly("records", "nextCursor");
        assertThat(page.body().get("nextCursor").isNull()).isTrue();
        JsonNode first = page.body().get("records").get(0);
        List<String> fields = new ArrayList<>();
        first.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "conversationId", "kind", "sentAt", "from", "to", "contentType", "body", "external",
                "frontend", "receivedAt", "archivedAt", "exportedAt");
        assertThat(first.get("id").asText()).isEqualTo(message.id());
        assertThat(first.get("conversationId").asText()).isEqualTo(message.conversationId());
        assertThat(first.get("kind").asText()).isEqualTo("message");
        assertThat(first.get("sentAt").asText()).isEqualTo("2026-04-06T07:00:00.000120Z");
        assertThat(Instant.parse(first.get("sentAt").asText())).isEqualTo(message.sentAt());
        assertThat(first.get("from").asText()).isEqualTo(message.from());
        assertThat(first.get("to").toString()).isEqualTo("[\"sip:bob@example.com\"]");
        assertThat(first.get("contentType").asText()).isEqualTo("text/plain");
        assertThat(first.get("body").asText()).isEqualTo(message.body());
        assertThat(first.get("external").asBoolean()).isTrue();
        assertThat(first.get("frontend").asText()).isEqualTo("fe-9");
        assertThat(Instant.parse(first.get("receivedAt").asText())).isEqualTo(receivedAt);
        assertThat(first.get("archivedAt").asText()).endsWith("Z");
        assertThat(first.get("exportedAt").isNull()).isTrue();
        JsonNode second = page.body().get("records").get(1);
        assertThat(second.get("kind").asText()).isEqualTo("join");
        assertThat(second.get("body").isNull()).isTrue();
        assertThat(second.get("to")).isEmpty();
        assertThat(second.get("exportedAt").asText()).isEqualTo("2026-04-07T01:02:03.500Z");
    }

    @Test
    void pagesThroughEverythingWithTheCursorAndFiltersCombine() throws Exception {
        List<ArchiveRecord> world = SearchData.world("h", 250, START, 4);
        SearchData.write(writer, world);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            ApiResponse page = api.get("/v1/records?limit=100" + (cursor == null ? "" : "&cursor=" + cursor), AUDITOR);
            assertThat(page.status()).isEqualTo(200);
            pages++;
            seen.addAll(ids(page.body().get("records")));
            cursor = page.body().get("nextCursor").isNull() ? null : page.body().get("nextCursor").asText();
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).isEqualTo(SearchData.expected(world, r -> true));

        // Default limit 100.
        assertThat(api.get("/v1/records", AUDITOR).body().get("records")).hasSize(100);

        // Filters, each URL-encoded as a client would.
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("participant", "sip:carol@EXAMPLE.org");
        filters.put("from", "2026-04-06T12:00:00+02:00");
        filters.put("to", "2026-04-08");
        filters.put("q", "Отчёт or report");
        Instant from = Instant.parse("2026-04-06T10:00:00Z");
        Instant to = Instant.parse("2026-04-08T00:00:00Z");
        ApiResponse filtered = api.get("/v1/records" + query(filters) + "&limit=1000", AUDITOR);
        assertThat(filtered.status()).isEqualTo(200);
        List<String> expected = SearchData.expected(world, r -> SearchData.involves(r, "sip:carol@example.org")
                && !r.sentAt().isBefore(from) && r.sentAt().isBefore(to) && (SearchData.hasWord(r, "отчёт") || SearchData.hasWord(r, "report")));
        assertThat(expected).isNotEmpty();
        assertThat(ids(filtered.body().get("records"))).isEqualTo(expected);

        String conversation = "dlg/with slash+plus";
        ApiResponse byConversation = api.get("/v1/records?limit=1000&conversation=" + encode(conversation), AUDITOR);
        assertThat(ids(byConversation.body().get("records")))
                .isNotEmpty().isEqualTo(SearchData.expected(world, r -> r.conversationId().equals(conversation)));

        // The audit log has each call with what was asked and how many came back.
        List<Map<String, Object>> rows = audit();
        assertThat(rows).allMatch(r -> r.get("actor").equals("audit-anna") && r.get("action").equals("search"));
        JsonNode filteredAudit = JSON.readTree((String) rows.get(4).get("parameters"));
        assertThat(filteredAudit.get("participant").asText()).isEqualTo("sip:carol@example.org");
        assertThat(filteredAudit.get("from").asText()).isEqualTo("2026-04-06T10:00:00Z");
        assertThat(filteredAudit.get("to").asText()).isEqualTo("2026-04-08T00:00:00Z");
        assertThat(filteredAudit.get("q").asText()).isEqualTo("Отчёт or report");
        assertThat(filteredAudit.get("limit").asInt()).isEqualTo(1000);
        assertThat(filteredAudit.get("cursor").asBoolean()).isFalse();
        assertThat(filteredAudit.get("until").asText()).isEqualTo("2026-04-08T00:00:00Z");
        assertThat(JSON.readTree((String) rows.get(4).get("result"))).isEqualTo(JSON.readTree("{\"records\": " + expected.size() + "}"));
        assertThat(rows.subList(0, 3)).extracting(r -> r.get("result")).containsExactly("{\"records\": 100}", "{\"records\": 100}",
                "{\"records\": 50}");
        assertThat(JSON.readTree((String) rows.get(1).get("parameters")).get("cursor").asBoolean()).isTrue();
    }

    @Test
    void badParametersAre400WithAPreciseMessageAndAreAudited() throws Exception {
        SearchData.write(writer, SearchData.world("b", 30, START, 2));
        String cursor = api.get("/v1/records?limit=5", AUDITOR).body().get("nextCursor").asText();
        char[] tampered = cursor.toCharArray();
        tampered[tampered.length / 2] = tampered[tampered.length / 2] == 'x' ? 'y' : 'x';

        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("?from=yesterday", new String[] {"from", "from must be an RFC 3339 time with an offset (2026-11-24T10:15:30Z, "
                + "2026-11-24T11:15:30+01:00) or a date YYYY-MM-DD (UTC midnight), not 'yesterday'"});
        cases.put("?to=2026-13-01", new String[] {"to", "to must be an RFC 3339 time"});
        cases.put("?from=2026-04-07&to=2026-04-06", new String[] {"from", "from (2026-04-07T00:00:00Z) is after to (2026-04-06T00:00:00Z)"});
        cases.put("?limit=0", new String[] {"limit", "limit must be a whole number from 1 to 1000, not '0'"});
        cases.put("?limit=1001", new String[] {"limit", "limit must be a whole number from 1 to 1000, not '1001'"});
        cases.put("?limit=ten", new String[] {"limit", "limit must be a whole number from 1 to 1000, not 'ten'"});
        cases.put("?limit=-5", new String[] {"limit", "limit must be a whole number from 1 to 1000, not '-5'"});
        cases.put("?participant=alice@example.com", new String[] {"participant",
                "participant must be a SIP URI sip:user@domain, not 'alice@example.com'"});
        cases.put("?q=%21%21%21", new String[] {"q", "q has no word to search for: '!!!'"});
        cases.put("?cursor=" + new String(tampered), new String[] {"cursor", "cursor was altered or damaged"});
        cases.put("?cursor=" + cursor + "&conversation=dlg-1", new String[] {"cursor", "cursor belongs to a search with other filters"});
        cases.put("?cursor=%25%25", new String[] {"cursor", "cursor is not base64url text"});
        cases.put("?sender=sip:a@b.c", new String[] {"sender", "unknown parameter 'sender'; expected participant, conversation, from, to, q, limit, cursor"});
        cases.put("?participant=sip:a@b.c&participant=sip:d@e.f", new String[] {"participant", "participant is given 2 times"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            ApiResponse refused = api.get("/v1/records" + c.getKey(), AUDITOR);
            assertThat(refused.status()).as(c.getKey()).isEqualTo(400);
            assertThat(refused.body().get("error").asText()).as(c.getKey()).startsWith(c.getValue()[1]);
            assertThat(refused.body().get("details").get(0).get("field").asText()).as(c.getKey()).isEqualTo(c.getValue()[0]);
        }
        // The cursor still works with its own filters and another limit.
        ApiResponse next = api.get("/v1/records?limit=7&cursor=" + cursor, AUDITOR);
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.body().get("records")).hasSize(7);

        List<Map<String, Object>> refusals = Sql.rows(dataSource, "SELECT actor, parameters::text AS parameters, result->>'error' AS error "
                + "FROM archive.audit_log WHERE action = 'search' AND result->>'status' = '400' ORDER BY id");
        assertThat(refusals).hasSize(cases.size()).allMatch(r -> r.get("actor").equals("audit-anna"));
        assertThat(refusals.get(0).get("parameters")).isEqualTo("{\"from\": \"yesterday\"}");
        assertThat(refusals.get(0).get("error")).asString().startsWith("from must be an RFC 3339 time");
    }

    @Test
    void aConversationWithItsParticipantsAndRecords() throws Exception {
        List<ArchiveRecord> world = SearchData.world("c", 200, START, 8);
        SearchData.write(writer, world);

        for (String id : List.of("conf:room-7@example.com", "dlg/with slash+plus")) {
            ApiResponse found = api.get("/v1/conversations/" + encode(id).replace("%2F", "/"), AUDITOR);
            assertThat(found.status()).as(id).isEqualTo(200);
            List<String> fields = new ArrayList<>();
            found.body().fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("conversationId", "participants", "total", "truncated", "records");
            assertThat(found.body().get("conversationId").asText()).isEqualTo(id);
            List<ArchiveRecord> expected = world.stream().filter(r -> r.conversationId().equals(id)).sorted(SearchData.ORDER).toList();
            assertThat(ids(found.body().get("records"))).isNotEmpty().isEqualTo(expected.stream().map(ArchiveRecord::id).toList());
            List<String> participants = new ArrayList<>();
            found.body().get("participants").forEach(p -> participants.add(p.asText()));
            assertThat(participants).isEqualTo(expected.stream()
                    .flatMap(r -> java.util.stream.Stream.concat(java.util.stream.Stream.of(r.from()), r.to().stream()))
                    .distinct().sorted().toList());
            assertThat(found.body().get("total").asInt()).isEqualTo(expected.size());
            assertThat(found.body().get("truncated").asBoolean()).isFalse();
        }

        ApiResponse missing = api.get("/v1/conversations/no-such-dialog", AUDITOR);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("error").asText()).isEqualTo("the archive holds no record of conversation 'no-such-dialog'");
        ApiResponse withQuery = api.get("/v1/conversations/dlg-1?limit=5", AUDITOR);
        assertThat(withQuery.status()).isEqualTo(400);
        assertThat(withQuery.body().get("error").asText()).contains("/v1/records?conversation=");
        assertThat(api.get("/v1/conversations/" + "x".repeat(300), AUDITOR).status()).isEqualTo(400);

        assertThat(Sql.rows(dataSource, "SELECT actor, action, parameters->>'id' AS conv, result::text AS result FROM archive.audit_log ORDER BY audit_log.id"))
                .extracting(r -> r.get("actor") + " " + r.get("action") + " " + r.get("conv") + " " + r.get("result"))
                .containsExactly(
                        "audit-anna conversation conf:room-7@example.com {\"records\": "
                                + world.stream().filter(r -> r.conversationId().equals("conf:room-7@example.com")).count() + ", \"truncated\": false}",
                        "audit-anna conversation dlg/with slash+plus {\"records\": "
                                + world.stream().filter(r -> r.conversationId().equals("dlg/with slash+plus")).count() + ", \"truncated\": false}",
                        "audit-anna conversation no-such-dialog {\"status\": 404, \"records\": 0}",
                        "audit-anna conversation dlg-1 {\"error\": \"this call takes no query parameters; to page through a conversation use "
                                + "/v1/records?conversation=ID&limit=N&cursor=C\", \"status\": 400}",
                        "audit-anna conversation " + "x".repeat(200) + "... {\"error\": \"id must be a conversation id of 1-256 characters, "
                                + "not 300\", \"status\": 400}");
    }

    @Test
    void aLongConversationIsTruncatedWithAHint() throws Exception {
        List<ArchiveRecord> records = new ArrayList<>();
        for (int i = 0; i < RecordSearch.CONVERSATION_CAP + 5; i++) {
            records.add(SearchData.record("long-" + i, "dlg-long", START.plusMillis(i), "sip:alice@example.com",
                    List.of("sip:bob@example.com"), "line " + i));
        }
        SearchData.write(writer, records);
        ApiResponse found = api.get("/v1/conversations/dlg-long", AUDITOR);
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.body().get("truncated").asBoolean()).isTrue();
        assertThat(found.body().get("total").asInt()).isEqualTo(RecordSearch.CONVERSATION_CAP + 5);
        assertThat(found.body().get("hint").asText()).contains("/v1/records?conversation=");
        assertThat(ids(found.body().get("records"))).isEqualTo(SearchData.expected(records, r -> true).subList(0, RecordSearch.CONVERSATION_CAP));
        assertThat(Sql.rows(dataSource, "SELECT result::text AS result FROM archive.audit_log"))
                .containsExactly(Map.of("result", "{\"records\": 10000, \"truncated\": true}"));
    }
}
