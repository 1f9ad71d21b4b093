package io.archiver.compliance.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/** Why a day has no seal yet and when the seal job seals it, by the default hourly cron and grace and others. */
class SealScheduleTest {

    private static final TimeZone UTC = TimeZone.getTimeZone("UTC");
    private static final LocalDate DAY = LocalDate.parse("2026-12-02");

    @Test
    void todayIsOpenUntilItsEndPlusTheGraceThenTheNextHourlyRunSealsIt() {
        SealSchedule schedule = new SealSchedule(IntegritySettings.defaults(), UTC);
        Instant now = Instant.parse("2026-12-02T16:05:00Z");
        assertThat(schedule.sealableAt(DAY)).isEqualTo(Instant.parse("2026-12-03T01:00:00Z"));
        assertThat(schedule.expectedSealAt(DAY, now)).isEqualTo(Instant.parse("2026-12-03T01:17:00Z"));
        assertThat(schedule.describe(DAY, now, false)).isEqualTo("today, still open (the UTC day ends at 2026-12-03 00:00 UTC); "
                + "sealed after the grace of 1h, by the next hourly run at ~2026-12-03 01:17 UTC");
    }

    @Test
    void aDayJustOverWaitsForItsGraceAndOnePastItForTheNextRun() {
        SealSchedule schedule = new SealSchedule(IntegritySettings.defaults(), UTC);
        assertThat(schedule.describe(DAY, Instant.parse("2026-12-03T00:30:00Z"), false)).isEqualTo("ended at 2026-12-03 00:00 UTC, "
                + "sealed after the grace of 1h (at 2026-12-03 01:00 UTC), by the next hourly run at ~2026-12-03 01:17 UTC");
        assertThat(schedule.describe(DAY, Instant.parse("2026-12-03T03:20:00Z"), true)).isEqualTo("ended at 2026-12-03 00:00 UTC "
                + "and past the grace of 1h since 2026-12-03 01:00 UTC, not sealed yet; the next hourly run at ~2026-12-03 04:17 UTC seals it");
    }

    @Test
    void anotherCronAndGraceOrNoJobAtAll() {
        IntegritySettings nightly = IntegritySettings.defaults().withCron("0 30 2 * * ?").withGrace(Duration.ofMinutes(90));
        SealSchedule schedule = new SealSchedule(nightly, UTC);
        assertThat(schedule.expectedSealAt(DAY, Instant.parse("2026-12-02T10:00:00Z"))).isEqualTo(Instant.parse("2026-12-03T02:30:00Z"));
        assertThat(schedule.describe(DAY, Instant.parse("2026-12-02T10:00:00Z"), false))
                .endsWith("grace of 90m, by the next seal run (integrity.cron '0 30 2 * * ?') at ~2026-12-03 02:30 UTC");
        IntegritySettings off = new IntegritySettings(false, IntegritySettings.DEFAULT_CRON, Duration.ofHours(1), 7, java.util.Optional.empty());
        assertThat(new SealSchedule(off, UTC).expectedSealAt(DAY, Instant.parse("2026-12-02T10:00:00Z"))).isNull();
        assertThat(new SealSchedule(off, UTC).describe(DAY, Instant.parse("2026-12-02T10:00:00Z"), false))
                .endsWith("; no seal job runs here (integrity.enabled = false)");
    }
}
