package io.archiver.retention.hold;

import static io.archiver.store.testing.ApiServer.ADMIN;
import static io.archiver.store.testing.ApiServer.AUDITOR;
import static io.archiver.store.testing.ApiServer.INGEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.store.AuditLog;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import io.archiver.store.testing.ApiServer;
import io.archiver.store.testing.ApiServer.ApiResponse;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/holds} through the real HTTP listener, a real token file and a real PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HoldRoutesTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private HikariDataSource dataSource;
    private ApiServer api;

    @BeforeAll
    void start() throws IOException {
        dataSource = Database.open(PG.config(PG.createDatabase()), "test");
        Migrations.migrate(dataSource);
        api = ApiServer.start(dir, (app, auth) -> HoldRoutes.register(app, auth, new HoldStore(dataSource), new AuditLog(dataSource)));
    }

    @AfterAll
    void stop() {
        api.close();
        dataSource.close();
    }

    @BeforeEach
    void empty() {
        Sql.execute(dataSource, "TRUNCATE archive.holds, archive.audit_log RESTART IDENTITY");
    }

    private ApiResponse post(String token, String body) throws Exception {
        return api.post("/v1/holds", token, body);
    }

    private long placeAsAdmin(String body) throws Exception {
        ApiResponse placed = post(ADMIN, body);
        assertThat(placed.status()).as(placed.raw().body()).isEqualTo(201);
        return placed.body().get("id").asLong();
    }

    private List<Map<String, Object>> audit() {
        return Sql.rows(dataSource, "SELECT actor, action, parameters::text AS parameters, result::text AS result "
                + "FROM archive.audit_log ORDER BY id");
    }

    @Test
    void roleMatrix() throws Exception {
        long id = placeAsAdmin("{\"conversation\": \"dlg-1\", \"reason\": \"matrix\"}");
        long other = placeAsAdmin("{\"conversation\": \"dlg-2\", \"reason\": \"matrix\"}");
        String place = "{\"conversation\": \"dlg-3\", \"reason\": \"r\"}";

        // No token, an unknown token: 401 everywhere, with the challenge header.
        for (String token : new String[] {null, "not-a-token"}) {
            ApiResponse noToken = post(token, place);
            assertThat(noToken.status()).isEqualTo(401);
            assertThat(noToken.raw().headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
            assertThat(api.get("/v1/holds", token).status()).isEqualTo(401);
            assertThat(api.get("/v1/holds/" + id, token).status()).isEqualTo(401);
            assertThat(api.delete("/v1/holds/" + id, token).status()).isEqualTo(401);
        }
        // Ingest: 403 everywhere.
        assertThat(post(INGEST, place).status()).isEqualTo(403);
        assertThat(api.get("/v1/holds", INGEST).status()).isEqualTo(403);
        assertThat(api.get("/v1/holds/" + id, INGEST).status()).isEqualTo(403);
        assertThat(api.delete("/v1/holds/" + id, INGEST).status()).isEqualTo(403);
        // Auditor: reads, but neither places nor releases.
        ApiResponse auditorPost = post(AUDITOR, place);
        assertThat(auditorPost.status()).isEqualTo(403);
        assertThat(auditorPost.body().get("error").asText()).contains("needs role admin");
        assertThat(api.delete("/v1/holds/" + id, AUDITOR).status()).isEqualTo(403);
        assertThat(api.get("/v1/holds", AUDITOR).status()).isEqualTo(200);
        assertThat(api.get("/v1/holds/" + id, AUDITOR).status()).isEqualTo(200);
        // Admin: all of it.
        assertThat(api.get("/v1/holds", ADMIN).status()).isEqualTo(200);
        assertThat(api.get("/v1/holds/" + id, ADMIN).status()).isEqualTo(200);
        assertThat(api.delete("/v1/holds/" + other, ADMIN).status()).isEqualTo(200);

        // Nothing the refused calls asked for happened.
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.holds")).isEqualTo(2);
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.holds WHERE released_at IS NULL AND id = " + id)).isEqualTo(1);
        // Refused tokens leave no audit row under anyone's name; the accepted calls are each there.
        assertThat(audit()).extracting(r -> r.get("actor") + " " + r.get("action")).containsExactly(
                "admin-otto hold.place", "admin-otto hold.place",
                "audit-anna hold.list", "audit-anna hold.get",
                "admin-otto hold.list", "admin-otto hold.get", "admin-otto hold.release");
    }

    @Test
    void placeAnswers201WithTheHoldInTheNormalForm() throws Exception {
        Instant before = Instant.now().minusSeconds(5);
        ApiResponse placed = post(ADMIN, "{\"participant\": \"sip:Dave@Fabrikam.COM\", \"reason\": \"  case 12  \"}");

        assertThat(placed.status()).isEqualTo(201);
        JsonNode hold = placed.body();
        long id = hold.get("id").asLong();
        assertThat(placed.raw().headers().firstValue("Location")).contains("/v1/holds/" + id);
        assertThat(hold.get("participant").asText()).isEqualTo("sip:Dave@fabrikam.com");
        assertThat(hold.get("conversation").isNull()).isTrue();
        assertThat(hold.get("reason").asText()).isEqualTo("case 12");
        assertThat(hold.get("placedBy").asText()).isEqualTo("admin-otto");
        assertThat(Instant.parse(hold.get("placedAt").asText())).isAfter(before);
        assertThat(hold.get("placedAt").asText()).endsWith("Z");
        assertThat(hold.get("releasedAt").isNull()).isTrue();
        assertThat(hold.get("releasedBy").isNull()).isTrue();
        assertThat(hold.get("active").asBoolean()).isTrue();
        assertThat(hold.get("otherActiveHolds")).isEmpty();

        assertThat(Sql.rows(dataSource, "SELECT participant, reason, placed_by FROM archive.holds WHERE id = " + id))
                .containsExactly(Map.of("participant", "sip:Dave@fabrikam.com", "reason", "case 12", "placed_by", "admin-otto"));
        assertThat(audit()).singleElement().satisfies(row -> {
            assertThat(row).containsEntry("actor", "admin-otto").containsEntry("action", "hold.place");
            assertThat(JSON.readTree((String) row.get("parameters")))
                    .isEqualTo(JSON.readTree("{\"participant\": \"sip:Dave@fabrikam.com\", \"reason\": \"case 12\"}"));
            assertThat(JSON.readTree((String) row.get("result")).get("id").asLong()).isEqualTo(id);
        });

        // The same target again: a new hold, which names the one already there.
        ApiResponse again = post(ADMIN, "{\"participant\": \"sip:Dave@fabrikam.com\", \"reason\": \"case 13\"}");
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body().get("id").asLong()).isNotEqualTo(id);
        assertThat(again.body().get("otherActiveHolds").toString()).isEqualTo("[" + id + "]");
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.holds WHERE released_at IS NULL")).isEqualTo(2);
    }

    @Test
    void invalidPlacementsAre400WithDetailsAndWriteNoHold() throws Exception {
        Map<String, String> bodies = Map.ofEntries(
                Map.entry("{\"participant\": \"sip:a@example.com\", \"conversation\": \"d\", \"reason\": \"r\"}", "participant"),
                Map.entry("{\"reason\": \"r\"}", "participant"),
                Map.entry("{\"participant\": \"alice@example.com\", \"reason\": \"r\"}", "participant"),
                Map.entry("{\"participant\": 42, \"reason\": \"r\"}", "participant"),
                Map.entry("{\"conversation\": \"\", \"reason\": \"r\"}", "conversation"),
                Map.entry("{\"conversation\": \"d\\u0001\", \"reason\": \"r\"}", "conversation"),
                Map.entry("{\"conversation\": \"d\"}", "reason"),
                Map.entry("{\"conversation\": \"d\", \"reason\": \"   \"}", "reason"),
                Map.entry("{\"conversation\": \"d\", \"reason\": \"" + "x".repeat(1001) + "\"}", "reason"),
                Map.entry("{\"conversation\": \"d\", \"reason\": \"r\", \"expires\": \"2027-01-01\"}", "expires"),
                Map.entry("{\"conversation\": \"d\", \"reason\": \"r\"", ""),
                Map.entry("{\"conversation\": \"d\", \"reason\": \"r\"} {}", ""),
                Map.entry("{\"conversation\": \"d\", \"conversation\": \"e\", \"reason\": \"r\"}", ""),
                Map.entry("[{\"conversation\": \"d\", \"reason\": \"r\"}]", ""),
                Map.entry("", ""));
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            ApiResponse refused = post(ADMIN, body.getKey());
            assertThat(refused.status()).as(body.getKey()).isEqualTo(400);
            assertThat(refused.body().get("error").asText()).as(body.getKey()).isNotBlank();
            assertThat(refused.body().get("details")).as(body.getKey()).isNotEmpty();
            assertThat(refused.body().get("details").get(0).get("field").asText()).as(body.getKey()).isEqualTo(body.getValue());
        }
        // Malformed JSON is described in our words (where, and what was expected), not in the parser's.
        String unclosed = post(ADMIN, "{\"conversation\": \"d\", \"reason\": \"r\"").body().get("error").asText();
        assertThat(unclosed).contains("not valid JSON", "line 1").doesNotContain("REDACTED", "Source:", "StreamReadFeature");
        ApiResponse both = post(ADMIN, "{\"participant\": \"sip:a@example.com\", \"conversation\": \"d\", \"reason\": \"r\"}");
        assertThat(both.body().get("error").asText()).contains("not both");
        ApiResponse badUri = post(ADMIN, "{\"participant\": \"alice@example.com\"}");
        assertThat(badUri.body().get("details")).hasSize(2);
        assertThat(badUri.body().get("details").get(0).get("reason").asText()).contains("sip:user@domain");
        assertThat(badUri.body().get("details").get(1).get("field").asText()).isEqualTo("reason");
        ApiResponse wrongType = post(ADMIN, "{\"participant\": 42, \"reason\": \"r\"}");
        assertThat(wrongType.body().get("details")).hasSize(1);
        assertThat(wrongType.body().get("details").get(0).get("reason").asText()).isEqualTo("must be a string");

        assertThat(post(ADMIN, "{\"conversation\": \"d\", \"reason\": \"" + "x".repeat(70_000) + "\"}").status()).isEqualTo(413);

        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.holds")).isZero();
        // Each refused call is audited as such, under the admin's name.
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.audit_log WHERE action = 'hold.place' "
                + "AND actor = 'admin-otto' AND result->>'status' = '400'")).isEqualTo(bodies.size() + 4);
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.audit_log WHERE result->>'status' = '413'")).isEqualTo(1);
    }

    @Test
    void listShowsActiveHoldsOrAllAndIsAudited() throws Exception {
        long first = placeAsAdmin("{\"participant\": \"sip:erin@example.com\", \"reason\": \"a\"}");
        long second = placeAsAdmin("{\"conversation\": \"conf:room-1\", \"reason\": \"b\"}");
        assertThat(api.delete("/v1/holds/" + first, ADMIN).status()).isEqualTo(200);

        ApiResponse active = api.get("/v1/holds", AUDITOR);
        assertThat(active.status()).isEqualTo(200);
        assertThat(active.body().get("holds")).hasSize(1);
        JsonNode hold = active.body().get("holds").get(0);
        assertThat(hold.get("id").asLong()).isEqualTo(second);
        assertThat(hold.get("conversation").asText()).isEqualTo("conf:room-1");
        assertThat(hold.get("participant").isNull()).isTrue();
        List<String> fields = new java.util.ArrayList<>();
        hold.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "participant", "conversation", "reason", "placedBy", "placedAt",
                "releasedAt", "releasedBy", "active");

        ApiResponse all = api.get("/v1/holds?all=true", AUDITOR);
        assertThat(all.body().get("holds")).hasSize(2);
        JsonNode released = all.body().get("holds").get(0);
        assertThat(released.get("id").asLong()).isEqualTo(first);
        assertThat(released.get("active").asBoolean()).isFalse();
        assertThat(released.get("releasedBy").asText()).isEqualTo("admin-otto");
        assertThat(Instant.parse(released.get("releasedAt").asText())).isAfterOrEqualTo(Instant.parse(released.get("placedAt").asText()));

        assertThat(api.get("/v1/holds?all=false", AUDITOR).body().get("holds")).hasSize(1);
        ApiResponse badAll = api.get("/v1/holds?all=maybe", AUDITOR);
        assertThat(badAll.status()).isEqualTo(400);
        assertThat(badAll.body().get("error").asText()).contains("all must be true or false");

        List<Map<String, Object>> lists = Sql.rows(dataSource, "SELECT actor, parameters->>'all' AS all_, result->>'count' AS count, "
                + "result->>'status' AS status FROM archive.audit_log WHERE action = 'hold.list' ORDER BY id");
        assertThat(lists).extracting(r -> r.get("actor") + " " + r.get("all_") + " " + r.get("count") + " " + r.get("status"))
                .containsExactly("audit-anna false 1 null", "audit-anna true 2 null", "audit-anna false 1 null",
                        "audit-anna maybe null 400");
    }

    @Test
    void getOneHold() throws Exception {
        long id = placeAsAdmin("{\"conversation\": \"dlg-9\", \"reason\": \"r\"}");
        ApiResponse found = api.get("/v1/holds/" + id, AUDITOR);
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.body().get("id").asLong()).isEqualTo(id);
        assertThat(found.body().get("conversation").asText()).isEqualTo("dlg-9");

        ApiResponse missing = api.get("/v1/holds/" + (id + 100), AUDITOR);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("error").asText()).isEqualTo("no hold with id " + (id + 100));
        assertThat(api.get("/v1/holds/abc", AUDITOR).status()).isEqualTo(400);

        assertThat(Sql.rows(dataSource, "SELECT actor, result->>'found' AS found FROM archive.audit_log WHERE action = 'hold.get' "
                + "AND result->>'found' IS NOT NULL ORDER BY id")).extracting(r -> r.get("actor") + " " + r.get("found"))
                .containsExactly("audit-anna true", "audit-anna false");
    }

    @Test
    void releaseAnswers200Then409AndRefusesUnknownAndNonNumericIds() throws Exception {
        long id = placeAsAdmin("{\"participant\": \"sip:frank@example.com\", \"reason\": \"matter 5\"}");

        ApiResponse released = api.delete("/v1/holds/" + id, ADMIN);
        assertThat(released.status()).isEqualTo(200);
        assertThat(released.body().get("id").asLong()).isEqualTo(id);
        assertThat(released.body().get("active").asBoolean()).isFalse();
        assertThat(released.body().get("releasedBy").asText()).isEqualTo("admin-otto");
        String releasedAt = released.body().get("releasedAt").asText();
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.holds WHERE id = " + id
                + " AND released_by = 'admin-otto' AND released_at IS NOT NULL")).isEqualTo(1);

        ApiResponse again = api.delete("/v1/holds/" + id, ADMIN);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().get("error").asText())
                .isEqualTo("hold " + id + " was already released at " + releasedAt + " by admin-otto");
        assertThat(again.body().get("details").get(0).get("releasedAt").asText()).isEqualTo(releasedAt);

        ApiResponse unknown = api.delete("/v1/holds/987654", ADMIN);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().get("error").asText()).isEqualTo("no hold with id 987654");
        for (String bad : new String[] {"abc", "-1", "1.5", "99999999999999999999"}) {
            ApiResponse nonNumeric = api.delete("/v1/holds/" + bad, ADMIN);
            assertThat(nonNumeric.status()).as(bad).isEqualTo(400);
            assertThat(nonNumeric.body().get("error").asText()).as(bad).contains("positive whole number");
        }

        assertThat(Sql.rows(dataSource, "SELECT result->>'error' AS error FROM archive.audit_log WHERE action = 'hold.release' ORDER BY id"))
                .extracting(r -> String.valueOf(r.get("error")))
                .containsExactly("null", "already released", "unknown hold",
                        "hold id must be a positive whole number, not 'abc'", "hold id must be a positive whole number, not '-1'",
                        "hold id must be a positive whole number, not '1.5'",
                        "hold id must be a positive whole number, not '99999999999999999999'");
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.audit_log WHERE action = 'hold.release' AND actor <> 'admin-otto'"))
                .isZero();
    }
}
