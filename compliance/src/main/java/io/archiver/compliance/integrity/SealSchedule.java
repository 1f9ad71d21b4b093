package io.archiver.compliance.integrity;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Locale;
import java.util.TimeZone;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * When a day gets its seal: once it is over plus {@code integrity.grace} ({@link #sealableAt}), at the
 * first run of the seal job ({@code integrity.cron}, in the node's time zone as the scheduler reads it)
 * from then on ({@link #expectedSealAt}). {@code verify} uses it to say why a day is not sealed yet and
 * when it will be.
 */
public final class SealSchedule {

    private static final Pattern HOURLY = Pattern.compile("\\d{1,2} \\d{1,2} \\* \\* \\* \\?( \\*)?");
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final IntegritySettings settings;
    private final CronExpression cron;

    public SealSchedule(IntegritySettings settings, TimeZone timeZone) {
        this.settings = settings;
        try {
            this.cron = new CronExpression(settings.cron());
        } catch (ParseException e) {
            throw new IllegalArgumentException("integrity.cron '" + settings.cron() + "' is not a Quartz cron expression", e);
        }
        cron.setTimeZone(timeZone);
    }

    public SealSchedule(IntegritySettings settings) {
        this(settings, TimeZone.getDefault());
    }

    /** The end of the UTC day. */
    public static Instant endOf(LocalDate day) {
        return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** When the day may first be sealed: its end plus the grace. */
    public Instant sealableAt(LocalDate day) {
        return endOf(day).plus(settings.grace());
    }

    /** The first run of the seal job at or after the day is sealable and after {@code now}; null when the job is off or never runs. */
    public Instant expectedSealAt(LocalDate day, Instant now) {
        if (!settings.enabled()) {
            return null;
        }
        Instant from = sealableAt(day).minusMillis(1);
        if (from.isBefore(now)) {
            from = now;
        }
        Date next = cron.getNextValidTimeAfter(Date.from(from));
        return next == null ? null : next.toInstant();
    }

    /**
     * Why an unsealed day has no seal and when it will have one, in words: {@code today, still open; sealed
     * after the grace of 1h, by the next hourly run at ~2026-12-03 01:17 UTC}. {@code sealable}: whether the
     * day is past its grace already (the seal job has not got to it yet).
     */
    public String describe(LocalDate day, Instant now, boolean sealable) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        String state;
        if (sealable) {
            state = "ended at " + MINUTE.format(endOf(day)) + " and past the grace of " + grace() + " since "
                    + MINUTE.format(sealableAt(day)) + ", not sealed yet";
        } else if (day.equals(today)) {
            state = "today, still open (the UTC day ends at " + MINUTE.format(endOf(day)) + "); sealed after the grace of " + grace();
        } else if (day.isAfter(today)) {
            state = "a day still to come (records dated ahead of this clock), open; sealed once it is over plus the grace of " + grace();
        } else {
            state = "ended at " + MINUTE.format(endOf(day)) + ", sealed after the grace of " + grace()
                    + " (at " + MINUTE.format(sealableAt(day)) + ")";
        }
        if (!settings.enabled()) {
            return state + "; no seal job runs here (integrity.enabled = false)";
        }
        Instant at = expectedSealAt(day, now);
        if (at == null) {
            return state + "; integrity.cron '" + settings.cron() + "' never fires again, so no seal job will seal it";
        }
        String run = HOURLY.matcher(settings.cron()).matches() ? "hourly run"
                : "seal run (integrity.cron '" + settings.cron() + "')";
        return sealable ? state + "; the next " + run + " at ~" + MINUTE.format(at) + " seals it"
                : state + ", by the next " + run + " at ~" + MINUTE.format(at);
    }

    /** The grace as people write it: 1h, 30m, 90s, 0. */
    String grace() {
        Duration grace = settings.grace();
        if (grace.isZero()) {
            return "0";
        }
        if (grace.toSeconds() % 86_400 == 0) {
            return grace.toDays() + "d";
        }
        if (grace.toSeconds() % 3600 == 0) {
            return grace.toHours() + "h";
        }
        if (grace.toSeconds() % 60 == 0) {
            return grace.toMinutes() + "m";
        }
        return grace.toSeconds() + "s";
    }
}
