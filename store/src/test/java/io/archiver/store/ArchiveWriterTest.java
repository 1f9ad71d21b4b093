package io.archiver.store;

import static io.archiver.store.testing.TestRecords.incoming;
import static io.archiver.store.testing.TestRecords.message;
import static io.archiver.store.testing.TestRecords.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.config.Config;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.core.testing.FreePorts;
import io.archiver.store.testing.TestRecords;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

class ArchiveWriterTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private HikariDataSource dataSource;
    private ArchiveWriter writer;

    @BeforeEach
    void freshDatabase() {
        dataSource = Database.open(PG.config(PG.createDatabase()), "writer-test");
        Migrations.migrate(dataSource);
        writer = new ArchiveWriter(dataSource);
    }

    @AfterEach
    void closePool() {
        dataSource.close();
    }

    @Test
    void recordsOfAnyDayGetTheirPartitionAndOneIdRowEach() throws Exception {
        Instant now = Instant.now();
        List<ArchiveRecord> records = List.of(
                TestRecords.sentAt(message("late.70d"), now.minus(java.time.Duration.ofDays(70))),
                TestRecords.sentAt(message("old.2019"), Instant.parse("2019-03-01T10:00:00Z")),
                TestRecords.sentAt(message("today"), now));

        assertThat(writer.write(incoming(records))).isEqualTo(new WriteResult(3, 0, 0, 0));

        try (Connection c = dataSource.getConnection()) {
            assertThat(DayPartitions.existing(c)).contains(java.time.LocalDate.parse("2019-03-01"),
                    DayPartitions.dayOf(now.minus(java.time.Duration.ofDays(70))), DayPartitions.dayOf(now));
        }
        assertThat(io.archiver.store.testing.Sql.number(dataSource, "SELECT count(*) FROM archive.messages_p20190301")).isEqualTo(1);
        assertThat(io.archiver.store.testing.Sql.number(dataSource, "SELECT count(*) FROM archive.message_ids")).isEqualTo(3);
    }

    @Test
    void aDayDroppedBehindTheWritersBackIsCreatedAgain() throws Exception {
        Instant day = Instant.parse("2026-02-01T08:00:00Z");
        assertThat(writer.write(incoming(List.of(TestRecords.sentAt(message("first"), day))))).isEqualTo(new WriteResult(1, 0, 0, 0));
        // What a purge does to an expired day: the partition and its ids go.
        io.archiver.store.testing.Sql.execute(dataSource, "DROP TABLE archive.messages_p20260201");
        io.archiver.store.testing.Sql.execute(dataSource, "DELETE FROM archive.message_ids");

        WriteResult again = writer.write(incoming(List.of(TestRecords.sentAt(message("second"), day.plusSeconds(60)))));

        assertThat(again).isEqualTo(new WriteResult(1, 0, 0, 0));
        assertThat(io.archiver.store.testing.Sql.number(dataSource, "SELECT count(*) FROM archive.messages_p20260201")).isEqualTo(1);
    }

    @Test
    void aConflictOnAnotherDayIsStillAConflictNotASecondRow() throws Exception {
        ArchiveRecord first = TestRecords.sentAt(message("same.id", "original"), Instant.parse("2026-03-01T10:00:00Z"));
        ArchiveRecord other = TestRecords.sentAt(message("same.id", "changed"), Instant.parse("2026-03-05T10:00:00Z"));
        writer.write(incoming(List.of(first)));

        WriteResult result = writer.write(incoming(List.of(other)));

        assertThat(result).isEqualTo(new WriteResult(0, 0, 1, 0));
        assertThat(io.archiver.store.testing.Sql.number(dataSource, "SELECT count(*) FROM archive.messages WHERE record_id = 'same.id'")).isEqualTo(1);
        assertThat(io.archiver.store.testing.Sql.number(dataSource, "SELECT count(*) FROM archive.conflicts WHERE record_id = 'same.id'")).isEqualTo(1);
    }

    @Test
    void copyEscapingRoundTripsEveryAwkwardCharacter() throws Exception {
        String big = "x\\y\t".repeat(16 * 1024); // 64 KiB with escapes all along
        List<ArchiveRecord> records = List.of(
                new ArchiveRecord("tabs.newlines", "conv\twith\ttabs", Kind.MESSAGE, TestRecords.SENT,
                        "sip:alice@example.com", List.of("sip:bob@example.com"), "text/plain",
                        "line1\nline2\r\nline3\ttabbed\\backslash \\N \\. end\\", false),
                new ArchiveRecord("quotes:in@recipients", "sip:conf@example.com;gruu;opaque=app:conf:focus:id:X1", Kind.CONFERENCE_MESSAGE,
                        TestRecords.SENT, "sip:alice@example.com",
                        List.of("sip:\"quoted\"@example.com", "sip:a,b@example.com", "sip:{braces}@example.com",
                                "sip:back\\slash@example.com", "NULL", "sip:tab\tnew\nline@example.com", " spaced "),
                        "text/html", "<p>\"quoted\", {braces}, 'single'</p>", true),
                new ArchiveRecord("emoji-rtl", "conv-intl", Kind.MESSAGE, TestRecords.SENT.plusNanos(1_000),
                        "sip:zoe@example.com", List.of("sip:ali@example.com"), "text/plain",
                        "emoji 😀👍🏽 and RTL: שלום עולם مرحبا بالعالم and CJK 漢字", false),
                new ArchiveRecord("big.body", "conv-big", Kind.MESSAGE, TestRecords.SENT, "sip:alice@example.com",
                        List.of("sip:bob@example.com"), "text/rtf", big, false),
                new ArchiveRecord("session.start", "conv-session", Kind.SESSION_START, TestRecords.SENT, "sip:alice@example.com",
                        List.of(), "text/plain", null, false),
                new ArchiveRecord("empty.body", "conv-empty", Kind.MESSAGE, TestRecords.SENT, "sip:alice@example.com",
                        List.of("sip:bob@example.com"), "text/plain", "", false));
        List<Incoming> batch = incoming(records);

        WriteResult result = writer.write(batch);

        assertThat(result).isEqualTo(new WriteResult(records.size(), 0, 0, 0));
        Map<String, ArchiveRecord> stored = readMessages();
        for (ArchiveRecord record : records) {
            assertThat(stored.get(record.id())).as(record.id()).isEqualTo(record);
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT record_id, content_hash, frontend, received_at FROM archive.messages")) {
            Map<String, Incoming> byId = new HashMap<>();
            batch.forEach(in -> byId.put(in.id(), in));
            int rows = 0;
            while (rs.next()) {
                Incoming in = byId.get(rs.getString(1));
                assertThat(rs.getBytes(2)).isEqualTo(in.contentHash());
                assertThat(rs.getString(3)).isEqualTo("fe-test");
                assertThat(rs.getObject(4, OffsetDateTime.class).toInstant()).isEqualTo(in.receivedAt());
                rows++;
            }
            assertThat(rows).isEqualTo(records.size());
        }
    }

    @Test
    void aBatchWrittenTwiceIsArchivedOnce() throws Exception {
        List<Incoming> batch = incoming(messages("dup", 500));

        assertThat(writer.write(batch)).isEqualTo(new WriteResult(500, 0, 0, 0));
        assertThat(writer.write(batch)).isEqualTo(new WriteResult(0, 500, 0, 0));

        assertThat(count("archive.messages")).isEqualTo(500);
        assertThat(count("archive.conflicts")).isZero();
    }

    @Test
    void aBatchOfOldAndNewRecordsAddsOnlyTheNewOnes() throws Exception {
        writer.write(incoming(messages("mix", 100)));

        WriteResult result = writer.write(incoming(messages("mix", 150)));

        assertThat(result).isEqualTo(new WriteResult(50, 100, 0, 0));
        assertThat(count("archive.messages")).isEqualTo(150);
    }

    @Test
    void sameIdWithDifferentContentKeepsTheFirstAndRecordsAConflictOnce() throws Exception {
        writer.write(List.of(incoming(message("c-1", "original"))));

        WriteResult first = writer.write(List.of(incoming(message("c-1", "tampered")), incoming(message("c-2"))));
        WriteResult again = writer.write(List.of(incoming(message("c-1", "tampered"))));

        assertThat(first).isEqualTo(new WriteResult(1, 0, 1, 0));
        assertThat(again).isEqualTo(new WriteResult(0, 1, 0, 0));
        assertThat(readMessages().get("c-1").body()).isEqualTo("original");
        assertThat(count("archive.conflicts")).isEqualTo(1);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT record_id, body, frontend, detected_at FROM archive.conflicts")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("c-1");
            assertThat(rs.getString(2)).isEqualTo("tampered");
            assertThat(rs.getString(3)).isEqualTo("fe-test");
            assertThat(rs.getTimestamp(4)).isNotNull();
        }
    }

    @Test
    void sameIdTwiceInOneBatch() throws Exception {
        List<Incoming> batch = List.of(
                incoming(message("b-1", "first")),
                incoming(message("b-2")),
                incoming(message("b-1", "second")),
                incoming(message("b-2")),
                incoming(message("b-1", "third")));

        WriteResult result = writer.write(batch);

        assertThat(result).isEqualTo(new WriteResult(2, 1, 2, 0));
        assertThat(readMessages().get("b-1").body()).isEqualTo("first");
        assertThat(count("archive.conflicts")).isEqualTo(2);
        assertThat(writer.write(batch)).isEqualTo(new WriteResult(0, 5, 0, 0));
    }

    @Test
    void poisonRecordsAreDeadLetteredAndTheRestCommitsThenReplayPutsThemIn() throws Exception {
        execute("ALTER TABLE archive.messages ADD CONSTRAINT no_poison CHECK (body NOT LIKE '%POISON%')");
        List<ArchiveRecord> records = new ArrayList<>(messages("p", 1000));
        records.set(137, message("p-137", "this one is POISON"));
        records.set(802, message("p-802", "POISON as well"));

        WriteResult result = writer.write(incoming(records));

        assertThat(result).isEqualTo(new WriteResult(998, 0, 0, 2));
        assertThat(count("archive.messages")).isEqualTo(998);
        List<Map<String, Object>> letters = rows("SELECT record_id, reason, payload, attempts, frontend, received_at "
                + "FROM archive.dead_letters ORDER BY id");
        assertThat(letters).extracting(r -> r.get("record_id")).containsExactly("p-137", "p-802");
        assertThat(letters).allSatisfy(r -> {
            assertThat((String) r.get("reason")).contains("no_poison").contains("23514");
            assertThat((String) r.get("payload")).contains("POISON").startsWith("{\"id\":");
            assertThat(r.get("attempts")).isEqualTo(1);
            assertThat(r.get("frontend")).isEqualTo("fe-test");
            assertThat(r.get("received_at")).isNotNull();
        });

        ReplayResult stillRefused = DeadLetterReplayer.replay(dataSource, null);
        assertThat(stillRefused).isEqualTo(new ReplayResult(0, 2));
        assertThat(rows("SELECT attempts FROM archive.dead_letters")).extracting(r -> r.get("attempts")).containsOnly(2);

        execute("ALTER TABLE archive.messages DROP CONSTRAINT no_poison");
        ReplayResult replayed = DeadLetterReplayer.replay(dataSource, null);

        assertThat(replayed).isEqualTo(new ReplayResult(2, 0));
        assertThat(count("archive.messages")).isEqualTo(1000);
        assertThat(readMessages().get("p-137").body()).isEqualTo("this one is POISON");
        assertThat(rows("SELECT replayed_at FROM archive.dead_letters")).allSatisfy(r -> assertThat(r.get("replayed_at")).isNotNull());
        assertThat(DeadLetterReplayer.replay(dataSource, null)).isEqualTo(new ReplayResult(0, 0));
    }

    @Test
    void poisonIsIsolatedOnTheMergePathToo() throws Exception {
        writer.write(incoming(messages("m", 50)));
        execute("ALTER TABLE archive.messages ADD CONSTRAINT no_poison CHECK (body NOT LIKE '%POISON%')");
        List<ArchiveRecord> records = new ArrayList<>(messages("m", 100)); // 50 old, 50 new
        records.set(75, message("m-75", "POISON"));

        WriteResult result = writer.write(incoming(records));

        assertThat(result).isEqualTo(new WriteResult(49, 50, 0, 1));
        assertThat(count("archive.messages")).isEqualTo(99);
        assertThat(rows("SELECT record_id FROM archive.dead_letters")).extracting(r -> r.get("record_id")).containsExactly("m-75");
    }

    @Test
    void rejectionsAreDeadLetteredInTheSameTransaction() throws Exception {
        Rejection invalid = new Rejection("r-1", "{\"id\":\"r-1\",\"body\":\"nul \u0000 inside\"}", "invalid record: from is required",
                "fe-x", Instant.parse("2026-01-01T00:00:00Z"));
        Rejection unreadable = new Rejection(null, "{not json", "unreadable message: ...", null, null);

        WriteResult result = writer.write(incoming(messages("r", 3)), List.of(invalid, unreadable));

        assertThat(result).isEqualTo(new WriteResult(3, 0, 0, 2));
        List<Map<String, Object>> letters = rows("SELECT record_id, payload, reason, frontend FROM archive.dead_letters ORDER BY id");
        assertThat(letters).hasSize(2);
        assertThat((String) letters.get(0).get("payload")).doesNotContain("\u0000").contains("nul");
        assertThat(letters.get(1).get("record_id")).isNull();
        assertThat(letters.get(1).get("payload")).isEqualTo("{not json");
    }

    @Test
    void anUnreachableDatabaseIsATransientError() {
        Map<String, String> settings = PG.settings("nowhere");
        settings.put("db.url", "jdbc:postgresql://127.0.0.1:" + FreePorts.any() + "/nowhere");
        settings.put("db.connectionTimeout", "300ms");
        try (HikariDataSource unreachable = Database.open(Config.of(settings, Map.of()), "unreachable")) {
            ArchiveWriter broken = new ArchiveWriter(unreachable);
            assertThatThrownBy(() -> broken.write(incoming(messages("t", 2))))
                    .isInstanceOf(TransientDatabaseException.class)
                    .hasMessageContaining("cannot connect");
        }
    }

    @Test
    void aMissingTableIsNotMistakenForBadData() throws Exception {
        execute("ALTER TABLE archive.messages RENAME TO messages_moved");
        assertThatThrownBy(() -> writer.write(incoming(messages("x", 2))))
                .isInstanceOf(ArchiveWriteException.class)
                .isNotInstanceOf(TransientDatabaseException.class)
                .hasMessageContaining("archive.messages");
        assertThat(count("archive.dead_letters")).isZero();
    }

    @Test
    void copyRowsCanFeedARawCopyIntoAnotherTable() throws Exception {
        execute("CREATE TABLE archive.bench (LIKE archive.messages INCLUDING ALL)");
        List<Incoming> rows = incoming(messages("bench", 2000));
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        CopyRows.write(rows, encoded);

        long copied;
        try (Connection c = dataSource.getConnection()) {
            copied = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn(CopyRows.copySql("archive.bench"), new ByteArrayInputStream(encoded.toByteArray()));
        }

        assertThat(copied).isEqualTo(2000);
        assertThat(count("archive.bench")).isEqualTo(2000);
    }

    private Map<String, ArchiveRecord> readMessages() throws Exception {
        Map<String, ArchiveRecord> records = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT record_id, conversation_id, kind, sent_at, sender, recipients, "
                     + "content_type, body, external FROM archive.messages")) {
            while (rs.next()) {
                ArchiveRecord r = new ArchiveRecord(rs.getString(1), rs.getString(2), Kind.fromWire(rs.getString(3)).orElseThrow(),
                        rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getString(5),
                        Arrays.asList((String[]) rs.getArray(6).getArray()), rs.getString(7), rs.getString(8), rs.getBoolean(9));
                records.put(r.id(), r);
            }
        }
        return records;
    }

    private long count(String table) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private List<Map<String, Object>> rows(String sql) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private void execute(String sql) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
