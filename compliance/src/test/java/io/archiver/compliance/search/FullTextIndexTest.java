package io.archiver.compliance.search;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import io.archiver.store.testing.TestRecords;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * V6's GIN index: on the day partitions that existed before it, on those
 * {@code archive.ensure_day_partition} makes afterwards (ATTACH PARTITION creates it), and used by the
 * search's full-text predicate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FullTextIndexTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private HikariDataSource dataSource;

    @BeforeAll
    void start() throws Exception {
        dataSource = Database.open(PG.config(PG.createDatabase()), "test");
        // The archive as it was before V6, with records on two days.
        Flyway.configure(Migrations.class.getClassLoader()).dataSource(dataSource).schemas(Migrations.SCHEMA)
                .defaultSchema(Migrations.SCHEMA).createSchemas(true).table("flyway_schema_history")
                .locations(Migrations.LOCATION).target("5").load().migrate();
        ArchiveRecord first = TestRecords.sentAt(TestRecords.message("old-1", "before the index"), TestRecords.SENT);
        ArchiveRecord second = TestRecords.sentAt(TestRecords.message("old-2", "второй день"), TestRecords.SENT.plus(Duration.ofDays(1)));
        new ArchiveWriter(dataSource).write(TestRecords.incoming(List.of(first, second)));
        assertThat(ftsIndexedPartitions()).isEmpty();
        Migrations.migrate(dataSource);
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    private Set<String> partitions() {
        return Sql.rows(dataSource, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "WHERE i.inhparent = 'archive.messages'::regclass").stream()
                .map(r -> (String) r.get("relname")).collect(Collectors.toSet());
    }

    /** Partitions with an index over to_tsvector('simple', coalesce(body, '')) that belongs to V6's parent index. */
    private Set<String> ftsIndexedPartitions() {
        return Sql.rows(dataSource, "SELECT t.relname FROM pg_index x "
                + "JOIN pg_class ix ON ix.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                + "JOIN pg_inherits ih ON ih.inhrelid = ix.oid "
                + "WHERE ih.inhparent = to_regclass('archive.messages_body_fts_idx') "
                + "AND pg_get_indexdef(ix.oid) LIKE '%gin (to_tsvector(''simple''::regconfig, COALESCE(body, ''''::text)))%'")
                .stream().map(r -> (String) r.get("relname")).collect(Collectors.toSet());
    }

    @Test
    void everyDayPartitionHasTheIndexTheOldOnesAndTheNewOnes() {
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM pg_class WHERE relname = 'messages_body_fts_idx'")).isEqualTo(1);
        Set<String> before = partitions();
        assertThat(before).hasSize(2);
        assertThat(ftsIndexedPartitions()).isEqualTo(before);

        // A day made afterwards by the function the writer and the maintenance job use.
        assertThat(Sql.rows(dataSource, "SELECT archive.ensure_day_partition(date '2031-03-04') AS created"))
                .containsExactly(Map.of("created", true));
        Set<String> after = partitions();
        assertThat(after).hasSize(3).contains("messages_p20310304");
        assertThat(ftsIndexedPartitions()).isEqualTo(after);

        // And one made by the writer for a record of a day it has not seen.
        ArchiveRecord later = TestRecords.sentAt(TestRecords.message("new-1", "after the index"), TestRecords.SENT.plus(Duration.ofDays(5)));
        try {
            new ArchiveWriter(dataSource).write(TestRecords.incoming(List.of(later)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(partitions()).hasSize(4);
        assertThat(ftsIndexedPartitions()).isEqualTo(partitions());
    }

    @Test
    void theSearchPredicateUsesTheIndex() throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            try (ResultSet rs = s.executeQuery("EXPLAIN SELECT record_id FROM archive.messages WHERE "
                    + RecordSearch.FULL_TEXT.replace("?", "'день'"))) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        Set<String> ftsIndexes = Sql.rows(dataSource, "SELECT ix.relname FROM pg_inherits ih JOIN pg_class ix ON ix.oid = ih.inhrelid "
                + "WHERE ih.inhparent = to_regclass('archive.messages_body_fts_idx')").stream()
                .map(r -> (String) r.get("relname")).collect(Collectors.toSet());
        assertThat(ftsIndexes).isNotEmpty();
        assertThat(plan.toString()).contains("Bitmap Index Scan").satisfies(text -> assertThat(ftsIndexes).anyMatch(text::contains));
    }

    @Test
    void whatTheDatabaseCallsAWord() {
        // The 'simple' configuration folds case with the database's LC_CTYPE; the search tests rely on
        // Cyrillic being folded too.
        List<Map<String, Object>> rows = Sql.rows(dataSource, "SELECT current_setting('lc_ctype') AS ctype, "
                + "to_tsvector('simple', 'Москва ОТЧЁТ Report') @@ websearch_to_tsquery('simple', 'москва отчёт report') AS folded");
        assertThat(rows.get(0).get("folded")).as("lc_ctype %s", rows.get(0).get("ctype")).isEqualTo(true);
    }
}
