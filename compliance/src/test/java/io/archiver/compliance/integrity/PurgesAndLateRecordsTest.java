package io.archiver.compliance.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import io.archiver.compliance.integrity.VerifyReport.DayReport;
import io.archiver.compliance.integrity.VerifyReport.Finding;
import io.archiver.compliance.integrity.VerifyReport.Status;
import io.archiver.core.config.Config;
import io.archiver.retention.RetentionSettings;
import io.archiver.retention.purge.PurgeRequest;
import io.archiver.retention.purge.PurgeStatistics;
import io.archiver.retention.purge.Purger;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the archive does on record is not tampering: purges (run for real, both the whole-day drop and the
 * batch delete under a legal hold) and late records. Each is accepted, then taken into a new seal that
 * says why; what comes on top of them is still found.
 */
class PurgesAndLateRecordsTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private static final LocalDate D73 = Archive.daysAgo(73);
    private static final LocalDate D72 = Archive.daysAgo(72);
    private static final LocalDate D71 = Archive.daysAgo(71);
    private static final LocalDate D10 = Archive.daysAgo(10);

    private Archive archive;
    private Purger purger;

    @BeforeEach
    void sealedOldDays() throws Exception {
        archive = new Archive(PG);
        archive.day(73, 30, "old73", "sip:alice@example.com");
        archive.day(73, 1, "held73", "sip:held@example.com");
        archive.day(72, 30, "old72", "sip:alice@example.com");
        archive.day(71, 30, "old71", "sip:alice@example.com");
        archive.day(71, 4, "held71", "sip:held@example.com");
        archive.day(10, 10, "recent", "sip:alice@example.com");
        archive.sql("INSERT INTO archive.holds (participant, reason, placed_by) VALUES ('sip:held@example.com', 'case 12', 'legal')");
        assertThat(archive.sealer().run(Instant.now()).sealed()).containsOnlyKeys(D73, D72, D71, D10);
        purger = new Purger(archive.db, RetentionSettings.from(Config.of(Map.of("retention.batchPause", "0ms",
                "retention.batchRecords", "7"), Map.of())), "test-node");
    }

    @AfterEach
    void close() {
        archive.close();
    }

    @Test
    void aRecordedPurgeIsNotTamperingAndTheDaysAreSealedAgainSayingSo() throws Exception {
        PurgeStatistics stats = purger.run(PurgeRequest.scheduled(purger.settings(), Instant.now()), Purger.Progress.NONE, () -> false);
        assertThat(stats.purged()).isEqualTo(90);
        assertThat(stats.partitionsDropped()).as("days 73 (its held record moved back) and 72 leave as tables, day 71 in batches "
                + "(a hold keeps 4)").isEqualTo(2);

        VerifyReport afterPurge = archive.verify();

        assertThat(afterPurge.ok()).as("%s", afterPurge.days()).isTrue();
        assertThat(day(afterPurge, D72)).satisfies(d -> {
            assertThat(d.status()).isEqualTo(Status.OK);
            assertThat(d.records()).isZero();
            assertThat(d.purged()).isEqualTo(30);
            assertThat(d.notes()).anySatisfy(n -> assertThat(n).contains("30 records removed by purge run " + stats.runId()));
        });
        assertThat(day(afterPurge, D73)).satisfies(d -> {
            assertThat(d.status()).isEqualTo(Status.OK);
            assertThat(d.records()).isEqualTo(1);
            assertThat(d.purged()).isEqualTo(30);
        });
        assertThat(day(afterPurge, D71)).satisfies(d -> {
            assertThat(d.status()).isEqualTo(Status.OK);
            assertThat(d.records()).isEqualTo(4);
            assertThat(d.purged()).isEqualTo(30);
        });

        IntegritySealer.SealRun reseal = archive.sealer().run(Instant.now());

        assertThat(reseal.refused()).isEmpty();
        assertThat(reseal.resealed()).containsOnlyKeys(D73, D72, D71);
        assertThat(reseal.resealed().get(D71)).contains("purge run " + stats.runId());
        assertThat(Sql.rows(archive.db, "SELECT day, records FROM archive.integrity_seals ORDER BY day"))
                .extracting(r -> r.get("day").toString(), r -> r.get("records"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple(D73.toString(), 1L), org.assertj.core.groups.Tuple.tuple(D72.toString(), 0L), org.assertj.core.groups.Tuple.tuple(D71.toString(), 4L),
                        org.assertj.core.groups.Tuple.tuple(D10.toString(), 10L));
        assertThat(archive.number("SELECT count(*) FROM archive.integrity_seal_history WHERE reason LIKE '%purge run " + stats.runId()
                + "%'")).isEqualTo(3);
        assertThat(archive.number("SELECT count(*) FROM archive.integrity_sealed_records WHERE day IN ('" + D73 + "', '" + D72 + "', '" + D71 + "')"))
                .as("the purged records leave the sealed lists").isEqualTo(5);

        VerifyReport afterReseal = archive.verify();
        assertThat(afterReseal.ok()).isTrue();
        assertThat(afterReseal.chain().entries()).isEqualTo(7);
        assertThat(afterReseal.days()).allSatisfy(d -> assertThat(d.purged()).isZero());
        assertThat(archive.sealer().run(Instant.now()).resealed()).as("nothing more to do").isEmpty();

        // A record under the hold removed by hand afterwards is tampering again.
        archive.sql("DELETE FROM archive.messages WHERE record_id = 'held71-2'");
        archive.sql("DELETE FROM archive.message_ids WHERE record_id = 'held71-2'");
        VerifyReport tampered = archive.verify();
        assertThat(tampered.ok()).isFalse();
        assertThat(day(tampered, D71).kinds()).containsExactly(Finding.REMOVED);
        assertThat(day(tampered, D71).finding(Finding.REMOVED).ids()).containsExactly("held71-2");
    }

    @Test
    void aDeletionOnTopOfAPurgeIsFound() throws Exception {
        PurgeStatistics stats = purger.run(PurgeRequest.scheduled(purger.settings(), Instant.now()), Purger.Progress.NONE, () -> false);
        archive.sql("DELETE FROM archive.messages WHERE record_id = 'held71-0'");
        archive.sql("DELETE FROM archive.message_ids WHERE record_id = 'held71-0'");

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        DayReport d71 = day(report, D71);
        assertThat(d71.kinds()).containsExactly(Finding.REMOVED);
        assertThat(d71.finding(Finding.REMOVED).count()).isEqualTo(31);
        assertThat(d71.finding(Finding.REMOVED).message()).contains("purge run " + stats.runId() + " recorded 30")
                .contains("1 removed by no recorded purge");
        assertThat(day(report, D72).status()).isEqualTo(Status.OK);
        assertThat(archive.sealer().run(Instant.now()).refused()).containsOnlyKeys(D71);
    }

    @Test
    void aDryRunAccountsForNothing() throws Exception {
        purger.run(new PurgeRequest(PurgeRequest.Trigger.COMMAND, "tester", true, Duration.ofDays(60), false, null),
                Purger.Progress.NONE, () -> false);
        archive.sql("DELETE FROM archive.message_ids WHERE record_id IN (SELECT record_id FROM archive.messages WHERE record_id LIKE 'old72-%')");
        archive.sql("DELETE FROM archive.messages WHERE record_id LIKE 'old72-%'");

        VerifyReport report = archive.verify();

        assertThat(day(report, D72).kinds()).containsExactly(Finding.REMOVED);
        assertThat(day(report, D72).finding(Finding.REMOVED).count()).isEqualTo(30);
    }

    @Test
    void aDayLeftHalfPurgedByADeadPurgeIsNotTamperingAndTheNextPurgeIsAccountedFor() throws Exception {
        // What a purge killed after its rename and detach leaves: a detached *_expired table, a 'running' row.
        String name = Archive.partition(D72).substring("archive.".length());
        archive.sql("ALTER TABLE archive." + name + " RENAME TO " + name + "_expired");
        archive.sql("ALTER TABLE archive.messages DETACH PARTITION archive." + name + "_expired");
        archive.sql("INSERT INTO archive.purge_runs (trigger, dry_run, node, state) VALUES ('schedule', false, 'dead-node', 'running')");

        VerifyReport meanwhile = archive.verify();

        assertThat(meanwhile.ok()).as("%s", meanwhile.days()).isTrue();
        assertThat(day(meanwhile, D72).notes()).anySatisfy(n -> assertThat(n).contains(name + "_expired").contains("next purge"));

        PurgeStatistics stats = purger.run(PurgeRequest.scheduled(purger.settings(), Instant.now()), Purger.Progress.NONE, () -> false);
        assertThat(stats.recoveredRuns()).hasSize(1);
        VerifyReport after = archive.verify();
        assertThat(after.ok()).isTrue();
        assertThat(day(after, D72).purged()).isEqualTo(30);
        assertThat(archive.sealer().run(Instant.now()).refused()).isEmpty();
        assertThat(archive.verify().ok()).isTrue();
    }

    @Test
    void aLateRecordIsReportedUntilTheSealTakesItInVisibly() throws Exception {
        archive.day(10, 12, "recent", "sip:alice@example.com"); // recent-0..9 again (duplicates) and two new ones

        VerifyReport before = archive.verify();

        assertThat(before.ok()).isFalse();
        assertThat(day(before, D10).kinds()).containsExactly(Finding.INSERTED);
        assertThat(day(before, D10).finding(Finding.INSERTED).ids()).containsExactly("recent-10", "recent-11");

        IntegritySealer.SealRun run = archive.sealer().run(Instant.now());

        assertThat(run.resealed()).containsOnlyKeys(D10);
        assertThat(run.resealed().get(D10)).contains("2 records archived after the seal: recent-10, recent-11");
        assertThat(archive.number("SELECT count(*) FROM archive.integrity_seal_history WHERE day = '" + D10
                + "' AND reason LIKE '%recent-11%'")).isEqualTo(1);
        VerifyReport after = archive.verify();
        assertThat(after.ok()).isTrue();
        assertThat(day(after, D10).records()).isEqualTo(12);
        assertThat(day(after, D10).notes()).anySatisfy(n -> assertThat(n).contains("archived after the seal"));
    }

    private static DayReport day(VerifyReport report, LocalDate day) {
        return report.days().stream().filter(d -> d.day().equals(day)).findFirst()
                .orElseThrow(() -> new AssertionError("no report for " + day + ": " + report.days()));
    }

    static List<String> kinds(DayReport d) {
        return d.kinds();
    }
}
