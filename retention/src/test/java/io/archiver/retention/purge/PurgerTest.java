package io.archiver.retention.purge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.config.Config;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.retention.RetentionSettings;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.Database;
import io.archiver.store.Incoming;
import io.archiver.store.Migrations;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PurgerTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    /** Noon UTC today, so "N days ago" lands in the middle of a day whatever the time of the run. */
    private static final Instant NOON = LocalDate.now(ZoneOffset.UTC).atTime(12, 0).toInstant(ZoneOffset.UTC);

    private HikariDataSource db;
    private ArchiveWriter writer;

    @BeforeEach
    void freshArchive() {
        db = Database.open(PG.config(PG.createDatabase()), "purger-test");
        Migrations.migrate(db);
        writer = new ArchiveWriter(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void theScheduledPurgeDropsExpiredDaysAndKeepsHoldsOverridesAndTheRecent() throws Exception {
        archive(day(72, 300, "old72", "sip:alice@example.com", "conv-a"));
        archive(day(71, 300, "old71", "sip:alice@example.com", "conv-a"));
        archive(day(71, 5, "held71", "sip:alice@example.com", "conv-held"));
        archive(day(71, 4, "ceo71", "sip:ceo@example.com", "conv-ceo"));
        archive(day(70, 200, "legal70", "sip:bob@legal.example.com", "conv-l"));
        archive(day(10, 100, "recent", "sip:alice@example.com", "conv-a"));
        Sql.execute(db, "INSERT INTO archive.holds (conversation_id, reason, placed_by) VALUES ('conv-held', 'case 7', 'test')");
        Purger purger = purger(Map.of("retention.override.user:sip:ceo@example.com", "365",
                "retention.override.domain:legal.example.com", "90"));

        PurgeStatistics stats = purger.run(PurgeRequest.scheduled(purger.settings(), Instant.now()), Purger.Progress.NONE, () -> false);

        assertThat(stats.purged()).isEqualTo(600);
        assertThat(stats.heldBack()).isEqualTo(5);
        assertThat(stats.partitionsDropped()).isGreaterThanOrEqualTo(1);
        assertThat(stats.perDay()).containsEntry(LocalDate.ofInstant(NOON.minus(72, ChronoUnit.DAYS), ZoneOffset.UTC),
                new PurgeStatistics.DayCount(300, 0, 0));
        assertThat(ids("old")).isZero();
        assertThat(ids("held71")).isEqualTo(5);
        assertThat(ids("ceo71")).isEqualTo(4);
        assertThat(ids("legal70")).isEqualTo(200);
        assertThat(ids("recent")).isEqualTo(100);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages"))
                .isEqualTo(Sql.number(db, "SELECT count(*) FROM archive.message_ids")).isEqualTo(309);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.purge_runs WHERE state = 'done' AND purged = 600 AND held_back = 5 AND trigger = 'schedule'")).isEqualTo(1);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.audit_log WHERE action = 'purge' AND actor = 'scheduler' "
                + "AND (result->>'purged')::int = 600")).isEqualTo(1);
    }

    @Test
    void aDryRunCountsTheSameAndRemovesNothing() throws Exception {
        archive(day(80, 50, "a", "sip:alice@example.com", "c1"));
        archive(day(75, 40, "b", "sip:alice@example.com", "c2"));
        archive(day(75, 2, "h", "sip:held@example.com", "c3"));
        Sql.execute(db, "INSERT INTO archive.holds (participant, reason) VALUES ('sip:held@example.com', 'case')");
        Purger purger = purger(Map.of());

        PurgeStatistics dry = purger.run(manual(true, Duration.ofDays(60), false, null), Purger.Progress.NONE, () -> false);

        assertThat(dry.purged()).isEqualTo(90);
        assertThat(dry.heldBack()).isEqualTo(2);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages")).isEqualTo(92);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.purge_runs WHERE dry_run AND state = 'done' AND purged = 90")).isEqualTo(1);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.audit_log WHERE action = 'purge.dry-run' AND actor = 'tester'")).isEqualTo(1);

        PurgeStatistics real = purger.run(manual(false, Duration.ofDays(60), false, null), Purger.Progress.NONE, () -> false);
        assertThat(real.purged()).isEqualTo(dry.purged());
        assertThat(real.perDay()).isEqualTo(dry.perDay());
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages")).isEqualTo(2);
    }

    @Test
    void maxRecordsTakesTheOldestFirstAndReportsWhatRemains() throws Exception {
        archive(day(90, 30, "d90", "sip:alice@example.com", "c"));
        archive(day(80, 30, "d80", "sip:alice@example.com", "c"));
        Purger purger = purger(Map.of("retention.batchRecords", "7"));

        PurgeStatistics stats = purger.run(manual(false, Duration.ofDays(60), false, 45L), Purger.Progress.NONE, () -> false);

        assertThat(stats.purged()).isEqualTo(45);
        assertThat(stats.remaining()).isEqualTo(15);
        assertThat(ids("d90")).isZero();
        assertThat(ids("d80")).isEqualTo(15);
        // the 15 left are the youngest of day 80
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE record_id LIKE 'd80-%' AND record_id >= 'd80-15'")).isEqualTo(15);
    }

    @Test
    void exportedOnlyKeepsWhatWasNeverExported() throws Exception {
        archive(day(70, 20, "e", "sip:alice@example.com", "c"));
        Sql.execute(db, "UPDATE archive.messages SET exported_at = now() WHERE record_id < 'e-15'");
        Purger purger = purger(Map.of());

        PurgeStatistics stats = purger.run(manual(false, Duration.ofDays(60), true, null), Purger.Progress.NONE, () -> false);

        assertThat(stats.purged()).isEqualTo(7);   // e-0, e-1, e-10 .. e-14
        assertThat(stats.notExported()).isEqualTo(13);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE exported_at IS NOT NULL")).isZero();
    }

    @Test
    void aManualPurgeByHoursRespectsLongerOverridesButNotShorterOnes() throws Exception {
        archive(hoursAgo(30, 10, "h30", "sip:alice@example.com"));
        archive(hoursAgo(30, 3, "keep", "sip:bob@keep.example.com"));
        archive(hoursAgo(5, 10, "h5", "sip:alice@short.example.com"));
        Purger purger = purger(Map.of("retention.override.domain:keep.example.com", "10",
                "retention.override.domain:short.example.com", "1"));

        PurgeStatistics stats = purger.run(manual(false, Duration.ofHours(24), false, null), Purger.Progress.NONE, () -> false);

        assertThat(stats.purged()).isEqualTo(10);
        assertThat(ids("h30")).isZero();
        assertThat(ids("keep")).isEqualTo(3);
        assertThat(ids("h5")).isEqualTo(10);
    }

    @Test
    void aScheduledPurgeLetsAShorterOverrideGoSoonerUnlessAnotherParticipantKeepsIt() throws Exception {
        archive(withTo(day(10, 6, "short", "sip:a@short.example.com", "c1"), "sip:b@SHORT.example.com"));
        archive(withTo(day(10, 4, "mixed", "sip:a@short.example.com", "c2"), "sip:b@example.com"));
        Purger purger = purger(Map.of("retention.override.domain:short.example.com", "7"));

        PurgeStatistics stats = purger.run(PurgeRequest.scheduled(purger.settings(), Instant.now()), Purger.Progress.NONE, () -> false);

        assertThat(stats.purged()).isEqualTo(6);
        assertThat(ids("short")).isZero();
        assertThat(ids("mixed")).isEqualTo(4);
    }

    @Test
    void aSecondManualPurgeIsRefusedWhileOneRuns() throws Exception {
        Purger purger = purger(Map.of());
        try (Connection other = db.getConnection(); Statement s = other.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + 0x61726368_70757267L + ")");
            s.execute("INSERT INTO archive.purge_runs (trigger, dry_run, node, state) VALUES ('schedule', false, 'node-x', 'running')");

            assertThatThrownBy(() -> purger.run(manual(false, Duration.ofDays(60), false, null), Purger.Progress.NONE, () -> false))
                    .isInstanceOf(PurgeBusyException.class).hasMessageContaining("node-x").hasMessageContaining("one purge runs at a time");
        }
    }

    @Test
    void aDayLeftHalfDroppedByADeadRunIsFinishedAndTheDeadRunMarked() throws Exception {
        archive(day(70, 25, "half", "sip:alice@example.com", "c"));
        archive(day(70, 2, "kept", "sip:held@example.com", "c2"));
        LocalDate day = LocalDate.ofInstant(NOON.minus(70, ChronoUnit.DAYS), ZoneOffset.UTC);
        String name = Purger.partitionName(day);
        // What a run killed after its rename and detach leaves: a detached *_expired table, a running row.
        Sql.execute(db, "ALTER TABLE archive." + name + " RENAME TO " + name + "_expired");
        Sql.execute(db, "ALTER TABLE archive.messages DETACH PARTITION archive." + name + "_expired");
        Sql.execute(db, "INSERT INTO archive.purge_runs (trigger, dry_run, node, state) VALUES ('schedule', false, 'dead-node', 'running')");
        Sql.execute(db, "INSERT INTO archive.holds (participant, reason) VALUES ('sip:held@example.com', 'placed while it was down')");
        Purger purger = purger(Map.of());

        PurgeStatistics stats = purger.run(PurgeRequest.scheduled(purger.settings(), Instant.now()), Purger.Progress.NONE, () -> false);

        assertThat(stats.recoveredRuns()).hasSize(1);
        assertThat(stats.purged()).isEqualTo(25);
        assertThat(ids("half")).isZero();
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE record_id LIKE 'kept-%'")).isEqualTo(2);
        assertThat(Sql.number(db, "SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_expired'")).isZero();
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.purge_runs WHERE node = 'dead-node' AND state = 'interrupted'")).isEqualTo(1);
    }

    private Purger purger(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.putIfAbsent("retention.batchPause", "0ms");
        return new Purger(db, RetentionSettings.from(Config.of(settings, Map.of())), "test-node");
    }

    private static PurgeRequest manual(boolean dryRun, Duration olderThan, boolean exportedOnly, Long max) {
        return new PurgeRequest(PurgeRequest.Trigger.COMMAND, "tester", dryRun, olderThan, exportedOnly, max);
    }

    private long ids(String prefix) {
        long messages = Sql.number(db, "SELECT count(*) FROM archive.messages WHERE record_id LIKE '" + prefix + "%'");
        long ids = Sql.number(db, "SELECT count(*) FROM archive.message_ids WHERE record_id LIKE '" + prefix + "%'");
        assertThat(ids).as("ids of " + prefix).isEqualTo(messages);
        return messages;
    }

    private void archive(List<Incoming> records) throws Exception {
        writer.write(records);
    }

    private static List<Incoming> withTo(List<Incoming> records, String to) {
        List<Incoming> changed = new ArrayList<>();
        for (Incoming in : records) {
            ArchiveRecord r = in.record();
            String normalised = io.archiver.core.record.SipUri.normalize(to).orElseThrow();
            changed.add(new Incoming(new ArchiveRecord(r.id(), r.conversationId(), r.kind(), r.sentAt(), r.from(),
                    List.of(normalised), r.contentType(), r.body(), r.external()), in.frontend(), in.receivedAt()));
        }
        return changed;
    }

    private static List<Incoming> day(int daysAgo, int count, String prefix, String from, String conversation) {
        return records(NOON.minus(daysAgo, ChronoUnit.DAYS), count, prefix, from, conversation);
    }

    private static List<Incoming> hoursAgo(int hours, int count, String prefix, String from) {
        return records(Instant.now().minus(hours, ChronoUnit.HOURS), count, prefix, from, "conv-" + prefix);
    }

    private static List<Incoming> records(Instant start, int count, String prefix, String from, String conversation) {
        List<Incoming> list = new ArrayList<>();
        Instant received = Instant.now().truncatedTo(ChronoUnit.MICROS);
        for (int i = 0; i < count; i++) {
            Instant sent = start.plusSeconds(i).truncatedTo(ChronoUnit.MICROS);
            list.add(new Incoming(new ArchiveRecord(prefix + "-" + i, conversation, Kind.MESSAGE, sent, from,
                    List.of("sip:someone@example.com"), ArchiveRecord.DEFAULT_CONTENT_TYPE, "body " + i, false), "fe", received));
        }
        return list;
    }
}
