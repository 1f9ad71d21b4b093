package io.archiver.compliance.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.cluster.schedule.ArchiveScheduler;
import io.archiver.cluster.schedule.SchedulerOptions;
import io.archiver.store.Database;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The seal job on a real clustered scheduler seals the finished days, and only those. */
class IntegritySealJobTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    @Test
    void theScheduledJobSealsFinishedDaysAndLeavesTodayOpen() throws Exception {
        String database = PG.createDatabase();
        try (Archive archive = new Archive(PG, database)) {
            archive.day(2, 8, "x", "sip:alice@example.com");
            archive.day(1, 6, "y", "sip:alice@example.com");
            archive.day(0, 3, "z", "sip:alice@example.com");
            try (HikariDataSource pool = Database.open(PG.config(database), "scheduler", 6);
                 ArchiveScheduler scheduler = ArchiveScheduler.start(pool,
                         new SchedulerOptions("node-a", 2, Duration.ofSeconds(1), Duration.ofSeconds(1)))) {
                IntegritySettings settings = IntegritySettings.defaults().withCron("* * * * * ?").withGrace(Duration.ZERO);
                IntegritySealing.schedule(scheduler, pool, settings, "node-a");

                await().atMost(Duration.ofSeconds(30)).until(() -> archive.number("SELECT count(*) FROM archive.integrity_seals") == 2);

                assertThat(scheduler.jobs()).anySatisfy(job -> {
                    assertThat(job.name()).isEqualTo(IntegritySealJob.KEY.getName());
                    assertThat(job.cron()).isEqualTo("* * * * * ?");
                });
            }
            assertThat(Sql.rows(archive.db, "SELECT day, records, sealed_by FROM archive.integrity_seals ORDER BY day"))
                    .extracting(r -> r.get("day").toString(), r -> r.get("records"), r -> r.get("sealed_by"))
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(Archive.daysAgo(2).toString(), 8L, "node-a"),
                            org.assertj.core.groups.Tuple.tuple(Archive.daysAgo(1).toString(), 6L, "node-a"));
            assertThat(archive.verify().ok()).isTrue();
        }
    }

    @Test
    void theDefaultsSealHourlyAfterAnHourOfGrace() {
        IntegritySettings defaults = IntegritySettings.from(io.archiver.core.config.Config.of(java.util.Map.of(), java.util.Map.of()));
        assertThat(defaults.cron()).isEqualTo("0 17 * * * ?");
        assertThat(defaults.grace()).isEqualTo(Duration.ofHours(1));
        assertThat(defaults.key()).isEmpty();
        IntegritySealer sealer = new IntegritySealer(null, defaults, "n");
        assertThat(sealer.lastSealableDay(java.time.Instant.parse("2026-03-10T00:59:00Z"))).isEqualTo(java.time.LocalDate.parse("2026-03-08"));
        assertThat(sealer.lastSealableDay(java.time.Instant.parse("2026-03-10T01:00:00Z"))).isEqualTo(java.time.LocalDate.parse("2026-03-09"));
    }
}
