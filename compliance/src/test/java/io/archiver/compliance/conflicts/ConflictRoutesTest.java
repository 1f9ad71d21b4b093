package io.archiver.compliance.conflicts;

import static io.archiver.store.testing.ApiServer.ADMIN;
import static io.archiver.store.testing.ApiServer.AUDITOR;
import static io.archiver.store.testing.ApiServer.INGEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.AuditLog;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import io.archiver.store.WriteResult;
import io.archiver.store.testing.ApiServer;
import io.archiver.store.testing.ApiServer.ApiResponse;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import io.archiver.store.testing.TestRecords;
import java.nio.file.Path;
import java.time.Instant;
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

/** {@code GET /v1/conflicts} through the real listener, token file and PostgreSQL, conflicts made by the real writer. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConflictRoutesTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

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
        api = ApiServer.start(dir, (app, auth) -> ConflictRoutes.register(app, auth, new ConflictReader(dataSource), new AuditLog(dataSource)));
    }

    @AfterAll
    void stop() {
        api.close();
        dataSource.close();
    }

    @BeforeEach
    void empty() {
        Sql.execute(dataSource, "TRUNCATE archive.messages, archive.message_ids, archive.conflicts, archive.audit_log RESTART IDENTITY");
    }

    /** The same id twice, the second time with another body: the writer keeps the first, sets the second aside. */
    private void conflict(String id, String first, String second) throws Exception {
        assertThat(writer.write(List.of(TestRecords.incoming(TestRecords.message(id, first)))).inserted()).isEqualTo(1);
        WriteResult again = writer.write(List.of(TestRecords.incoming(TestRecords.message(id, second))));
        assertThat(again.conflicts()).isEqualTo(1);
    }

    @Test
    void aConflictShowsTheStoredAndTheRefusedVersion() throws Exception {
        conflict("dup-1", "the first words", "other words");

        ApiResponse response = api.get("/v1/conflicts", AUDITOR);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().fieldNames()).toIterable().containsExactly("conflicts", "nextCursor");
        assertThat(response.body().get("nextCursor").isNull()).isTrue();
        JsonNode conflict = response.body().get("conflicts").get(0);
        assertThat(response.body().get("conflicts")).hasSize(1);
        assertThat(conflict.fieldNames()).toIterable().containsExactly("id", "stored", "refused", "detectedAt");
        JsonNode stored = conflict.get("stored");
        JsonNode refused = conflict.get("refused");
        List<String> recordFields = List.of("id", "conversationId", "kind", "sentAt", "from", "to", "contentType", "body", "external",
                "frontend", "receivedAt", "archivedAt", "exportedAt");
        assertThat(stored.fieldNames()).toIterable().containsExactlyElementsOf(recordFields);
        assertThat(refused.fieldNames()).toIterable().containsExactlyElementsOf(recordFields);
        assertThat(stored.get("id").asText()).isEqualTo("dup-1");
        assertThat(stored.get("body").asText()).isEqualTo("the first words");
        assertThat(stored.get("archivedAt").isTextual()).isTrue();
        assertThat(refused.get("id").asText()).isEqualTo("dup-1");
        assertThat(refused.get("body").asText()).isEqualTo("other words");
        assertThat(refused.get("sentAt").asText()).isEqualTo(TestRecords.SENT.toString());
        assertThat(refused.get("to")).hasSize(2);
        assertThat(refused.get("frontend").asText()).isEqualTo("fe-test");
        assertThat(refused.get("archivedAt").isNull()).isTrue();
        assertThat(refused.get("exportedAt").isNull()).isTrue();
        Instant detected = Instant.parse(conflict.get("detectedAt").asText());
        assertThat(conflict.get("detectedAt").asText()).endsWith("Z");
        assertThat(detected).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));

        // Admin holds the auditor role; others are refused before anything is read or audited.
        assertThat(api.get("/v1/conflicts", ADMIN).status()).isEqualTo(200);
        assertThat(api.get("/v1/conflicts", INGEST).status()).isEqualTo(403);
        assertThat(api.get("/v1/conflicts", null).status()).isEqualTo(401);
        assertThat(api.get("/v1/conflicts", "not-a-token").status()).isEqualTo(401);

        List<Map<String, Object>> audit = Sql.rows(dataSource, "SELECT actor, action, parameters::text AS p, result::text AS r "
                + "FROM archive.audit_log ORDER BY id");
        assertThat(audit).hasSize(2);
        assertThat(audit.get(0)).containsEntry("actor", "audit-anna").containsEntry("action", "conflicts.list");
        assertThat(JSON.readTree((String) audit.get(0).get("r")).get("conflicts").asInt()).isEqualTo(1);
        assertThat(JSON.readTree((String) audit.get(0).get("p")).get("limit").asInt()).isEqualTo(100);
        assertThat(audit.get(1)).containsEntry("actor", "admin-otto");
    }

    @Test
    void pagesOldestFirstWithACheckedCursor() throws Exception {
        for (int i = 0; i < 5; i++) {
            conflict("page-" + i, "first " + i, "second " + i);
        }
        List<String> ids = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            ApiResponse page = api.get("/v1/conflicts?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), AUDITOR);
            assertThat(page.status()).isEqualTo(200);
            page.body().get("conflicts").forEach(c -> ids.add(c.get("refused").get("id").asText()));
            sizes.add(page.body().get("conflicts").size());
            cursor = page.body().get("nextCursor").isNull() ? null : page.body().get("nextCursor").asText();
        } while (cursor != null);
        assertThat(ids).containsExactly("page-0", "page-1", "page-2", "page-3", "page-4");
        assertThat(sizes).containsExactly(2, 2, 1);
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.audit_log WHERE action = 'conflicts.list'")).isEqualTo(3);

        // A cursor with one character changed fails its checksum.
        String next = api.get("/v1/conflicts?limit=2", AUDITOR).body().get("nextCursor").asText();
        char last = next.charAt(5);
        String altered = next.substring(0, 5) + (last == 'A' ? 'B' : 'A') + next.substring(6);
        assertRefused("/v1/conflicts?cursor=" + altered, "cursor");
        assertRefused("/v1/conflicts?cursor=not-a-cursor!", "cursor");
        assertRefused("/v1/conflicts?limit=0", "limit");
        assertRefused("/v1/conflicts?limit=1001", "limit");
        assertRefused("/v1/conflicts?limit=ten", "limit");
        assertRefused("/v1/conflicts?participant=sip:a@b", "participant");
        assertThat(api.get("/v1/conflicts?limit=1000", AUDITOR).body().get("conflicts")).hasSize(5);
    }

    private void assertRefused(String path, String field) throws Exception {
        long before = Sql.number(dataSource, "SELECT count(*) FROM archive.audit_log WHERE result->>'status' = '400'");
        ApiResponse response = api.get(path, AUDITOR);
        assertThat(response.status()).as(path).isEqualTo(400);
        assertThat(response.body().get("details").get(0).get("field").asText()).as(path).isEqualTo(field);
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.audit_log WHERE result->>'status' = '400' "
                + "AND action = 'conflicts.list'")).as("refusal of %s audited", path).isEqualTo(before + 1);
    }

    @Test
    void noConflictsIsAnEmptyList() throws Exception {
        writer.write(List.of(TestRecords.incoming(TestRecords.message("single", "once"))));
        // The same content again is a duplicate, not a conflict.
        writer.write(List.of(TestRecords.incoming(TestRecords.message("single", "once"))));
        ApiResponse response = api.get("/v1/conflicts", AUDITOR);
        assertThat(response.body().get("conflicts")).isEmpty();
        assertThat(response.body().get("nextCursor").isNull()).isTrue();
    }

    @Test
    void aPurgedStoredVersionIsNull() throws Exception {
        conflict("gone-1", "kept", "refused");
        // As a purge leaves it: the day's rows and their ids gone, the conflict kept.
        Sql.execute(dataSource, "DELETE FROM archive.messages WHERE record_id = 'gone-1'");
        Sql.execute(dataSource, "DELETE FROM archive.message_ids WHERE record_id = 'gone-1'");
        JsonNode conflict = api.get("/v1/conflicts", AUDITOR).body().get("conflicts").get(0);
        assertThat(conflict.get("stored").isNull()).isTrue();
        assertThat(conflict.get("refused").get("body").asText()).isEqualTo("refused");
    }

    @Test
    void theReaderGivesBothVersionsAndTheDifferingFields() throws Exception {
        conflict("diff-1", "a", "b");
        ArchiveRecord moved = TestRecords.sentAt(TestRecords.message("diff-2", "same"), TestRecords.SENT.plusSeconds(60));
        writer.write(List.of(TestRecords.incoming(TestRecords.message("diff-2", "same"))));
        writer.write(List.of(TestRecords.incoming(moved)));
        ConflictReader.Page page = new ConflictReader(dataSource).read(10, null);
        assertThat(page.conflicts()).hasSize(2);
        assertThat(page.conflicts().get(0).differingContent()).containsExactly("body");
        assertThat(page.conflicts().get(1).differingContent()).containsExactly("sentAt");
        assertThat(page.conflicts().get(1).stored().sentAt()).isEqualTo(TestRecords.SENT);
        assertThat(page.conflicts().get(1).refused().sentAt()).isEqualTo(moved.sentAt());
    }
}
