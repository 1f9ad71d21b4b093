package io.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MigrationsTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    @Test
    void createsTheContractSchemaOnceAndIsIdempotent() {
        try (HikariDataSource db = Database.open(PG.config(PG.createDatabase()), "migrations-test")) {
            assertThat(Migrations.migrate(db)).isGreaterThanOrEqualTo(2);
            assertThat(Migrations.migrate(db)).isZero();

            Map<String, String> columns = new LinkedHashMap<>();
            Sql.rows(db, "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                    + "WHERE table_schema = 'archive' AND table_name = 'messages' ORDER BY ordinal_position")
                    .forEach(r -> columns.put((String) r.get("column_name"), r.get("data_type") + " " + r.get("is_nullable")));
            assertThat(columns).containsExactly(
                    Map.entry("record_id", "text NO"),
                    Map.entry("conversation_id", "text NO"),
                    Map.entry("kind", "text NO"),
                    Map.entry("sent_at", "timestamp with time zone NO"),
                    Map.entry("sender", "text NO"),
                    Map.entry("recipients", "ARRAY NO"),
                    Map.entry("content_type", "text NO"),
                    Map.entry("body", "text YES"),
                    Map.entry("external", "boolean NO"),
                    Map.entry("frontend", "text NO"),
                    Map.entry("received_at", "timestamp with time zone NO"),
                    Map.entry("archived_at", "timestamp with time zone NO"),
                    Map.entry("exported_at", "timestamp with time zone YES"),
                    Map.entry("content_hash", "bytea NO"));

            List<Object> tables = Sql.rows(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'archive' ORDER BY 1")
                    .stream().map(r -> r.get("table_name")).toList();
            assertThat(tables).contains("messages", "message_ids", "conflicts", "dead_letters", "audit_log", "purge_runs", "holds", "flyway_schema_history");
            // time, conversation and time, participants (GIN), body full text (GIN, V6)
            assertThat(Sql.rows(db, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'archive' AND tablename = 'messages'")
                    .stream().map(r -> (String) r.get("indexdef")).toList())
                    .hasSize(4).anyMatch(d -> d.contains("to_tsvector('simple'"));
            assertThat(Sql.number(db, "SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'archive.messages'::regclass")).isEqualTo(1);

            Sql.execute(db, "INSERT INTO archive.holds (participant, reason) VALUES ('sip:a@example.com', 'case 1')");
            assertThatThrownBy(() -> Sql.execute(db, "INSERT INTO archive.holds (participant, conversation_id, reason) VALUES ('sip:a@example.com', 'c', 'both')"))
                    .hasMessageContaining("holds_one_target");
            assertThatThrownBy(() -> Sql.execute(db, "INSERT INTO archive.holds (reason) VALUES ('neither')"))
                    .hasMessageContaining("holds_one_target");
        }
    }

    @Test
    void theParticipantIndexServesSenderAndRecipientSearches() {
        try (HikariDataSource db = Database.open(PG.config(PG.createDatabase()), "plan-test")) {
            Migrations.migrate(db);
            Sql.execute(db, "SELECT archive.ensure_day_partition(current_date)");
            Sql.execute(db, "SET enable_seqscan = off");
            String plan = String.join("\n", Sql.rows(db, "EXPLAIN SELECT record_id FROM archive.messages "
                    + "WHERE array_prepend(sender, recipients) @> ARRAY['sip:bob@example.com']").stream()
                    .map(r -> (String) r.get("QUERY PLAN")).toList());
            assertThat(plan).contains("Bitmap Index Scan on messages_p").contains("array_prepend_idx");
        }
    }

    @Test
    void anArchiveOfVersionOneMovesIntoDayPartitionsWithItsIds() {
        try (HikariDataSource db = Database.open(PG.config(PG.createDatabase()), "v1-test")) {
            org.flywaydb.core.Flyway.configure(Migrations.class.getClassLoader()).dataSource(db)
                    .schemas(Migrations.SCHEMA).defaultSchema(Migrations.SCHEMA).createSchemas(true)
                    .locations(Migrations.LOCATION).target("1").load().migrate();
            for (String[] row : new String[][] {{"a", "2026-09-01T23:59:59.999999Z"}, {"b", "2026-09-02T00:00:00Z"}, {"c", "2026-09-02T12:00:00Z"}}) {
                Sql.execute(db, "INSERT INTO archive.messages (record_id, conversation_id, kind, sent_at, sender, recipients, content_type, "
                        + "body, external, frontend, received_at, exported_at, content_hash) VALUES ('" + row[0] + "', 'conv', 'message', '"
                        + row[1] + "', 'sip:a@example.com', ARRAY['sip:b@example.com'], 'text/plain', 'hi', false, 'fe', now(), now(), '\\x01')");
            }
            Migrations.migrate(db);
            assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE exported_at IS NOT NULL")).isEqualTo(3);
            assertThat(Sql.number(db, "SELECT count(*) FROM archive.message_ids")).isEqualTo(3);
            assertThat(Sql.rows(db, "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    + "WHERE i.inhparent = 'archive.messages'::regclass ORDER BY 1").stream().map(r -> r.get("name")).toList())
                    .containsExactly("messages_p20260901", "messages_p20260902");
            assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages_p20260902")).isEqualTo(2);
        }
    }

    @Test
    void databaseSettingsAreCheckedWithClearMessages() {
        assertThatThrownBy(() -> Database.open(Config.of(Map.of(), Map.of()), "x"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("db.url").hasMessageContaining("ARCHIVER_DB_URL");
        assertThatThrownBy(() -> Database.open(Config.of(Map.of("db.url", "jdbc:mysql://h/db"), Map.of()), "x"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("db.url").hasMessageContaining("PostgreSQL");
        Map<String, String> settings = PG.settings("postgres");
        settings.put("db.password", "s3cret-value");
        settings.put("db.poolSize", "3");
        try (HikariDataSource db = Database.open(Config.of(settings, Map.of()), "pw-test")) {
            assertThat(db.getMaximumPoolSize()).isEqualTo(3);
            assertThat(db.toString()).doesNotContain("s3cret-value");
            assertThat(Sql.number(db, "SELECT 1")).isEqualTo(1);
        }
    }
}
