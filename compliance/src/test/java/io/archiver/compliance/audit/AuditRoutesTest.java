package io.archiver.compliance.audit;

import static io.archiver.store.testing.ApiServer.ADMIN;
import static io.archiver.store.testing.ApiServer.AUDITOR;
import static io.archiver.store.testing.ApiServer.INGEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/audit} through the real HTTP listener, tokens and PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditRoutesTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    @TempDir
    static Path dir;

    private HikariDataSource dataSource;
    private ApiServer api;
    private AuditLog audit;

    @BeforeAll
    void start() throws Exception {
        dataSource = Database.open(PG.config(PG.createDatabase()), "test");
        Migrations.migrate(dataSource);
        audit = new AuditLog(dataSource);
        api = ApiServer.start(dir, (app, auth) -> AuditRoutes.register(app, auth, new AuditReader(dataSource), audit));
    }

    @AfterAll
    void stop() {
        api.close();
        dataSource.close();
    }

    @BeforeEach
    void empty() {
        Sql.execute(dataSource, "TRUNCATE archive.audit_log RESTART IDENTITY");
    }

    @Test
    void pagesThroughEveryEntryOnceOldestFirstAndIsAuditedItself() throws Exception {
        for (int i = 0; i < 7; i++) {
            audit.record("admin-otto", i % 2 == 0 ? "purge" : "hold.place", Map.of("n", i), Map.of("ok", true));
        }
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = get("/v1/audit?actor=admin-otto&limit=3" + (cursor == null ? "" : "&cursor=" + cursor), AUDITOR, 200);
            page.get("entries").forEach(e -> seen.add(e.get("id").asLong()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        JsonNode first = get("/v1/audit?limit=1", AUDITOR, 200).get("entries").get(0);
        assertThat(first.get("actor").asText()).isEqualTo("admin-otto");
        assertThat(first.get("action").asText()).isEqualTo("purge");
        assertThat(first.get("parameters").get("n").asInt()).isZero();
        assertThat(first.get("result").get("ok").asBoolean()).isTrue();
        // each read above is in the log, by the reader's token name
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.audit_log WHERE action = 'audit.read' AND actor = 'audit-anna'"))
                .isEqualTo(4);
    }

    @Test
    void filtersByActionPrefixAndTime() throws Exception {
        audit.record("admin-otto", "hold.place", Map.of(), Map.of());
        audit.record("admin-otto", "hold.release", Map.of(), Map.of());
        audit.record("admin-otto", "holdings", Map.of(), Map.of());
        audit.record("audit-anna", "search", Map.of(), Map.of());

        JsonNode holds = get("/v1/audit?action=" + URLEncoder.encode("hold.*", StandardCharsets.UTF_8), ADMIN, 200);
        assertThat(holds.get("entries").findValuesAsText("action")).containsExactly("hold.place", "hold.release");
        assertThat(get("/v1/audit?action=search", AUDITOR, 200).get("entries")).hasSize(1);
        assertThat(get("/v1/audit?from=2000-01-01&to=2000-01-02", AUDITOR, 200).get("entries")).isEmpty();
    }

    @Test
    void rolesAndBadInput() throws Exception {
        get("/v1/audit", null, 401);
        get("/v1/audit", INGEST, 403);
        get("/v1/audit", ADMIN, 200);
        assertThat(get("/v1/audit?limit=0", AUDITOR, 400).get("error").asText()).contains("limit");
        assertThat(get("/v1/audit?cursor=bogus", AUDITOR, 400).get("error").asText()).contains("cursor");
        // A real cursor with one character changed fails its checksum.
        String cursor = AuditRoutes.encode(41);
        String changed = (cursor.charAt(3) == 'A' ? 'B' : 'A') + "";
        String altered = cursor.substring(0, 3) + changed + cursor.substring(4);
        assertThat(get("/v1/audit?cursor=" + altered, AUDITOR, 400).get("error").asText()).contains("altered or damaged");
        assertThat(get("/v1/audit?cursor=" + cursor, AUDITOR, 200).get("entries")).isNotNull();
        assertThat(get("/v1/audit?from=yesterday", AUDITOR, 400).get("error").asText()).contains("from");
        assertThat(get("/v1/audit?from=2026-02-01&to=2026-01-01", AUDITOR, 400).get("error").asText()).contains("after");
        assertThat(get("/v1/audit?actr=x", AUDITOR, 400).get("error").asText()).contains("actr");
    }

    private JsonNode get(String path, String token, int expectedStatus) throws Exception {
        ApiResponse response = api.get(path, token);
        assertThat(response.status()).as(response.raw().body()).isEqualTo(expectedStatus);
        return response.body();
    }
}
