package io.archiver.retention;

import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import java.time.Duration;

/**
 * The retention keys of contract section 6, read and checked once (the analogue of OCS
 * {@code Set-CsArchivingConfiguration}: EnablePurging, KeepArchivingDataForDays 1-2562, PurgeHourOfDay,
 * PurgeExportedArchivesOnly), plus how a purge paces itself. {@code retention.cron} wins over
 * {@code retention.hourOfDay}.
 *
 * @param batchRecords    {@code retention.batchRecords}: rows one purge transaction removes or unlinks
 * @param batchPause      {@code retention.batchPause}: rest between two batches, so ingest keeps the machine
 * @param partitionsAhead {@code retention.partitionsAhead}: days of partitions kept ready beyond today
 */
public record RetentionSettings(boolean enabled, int days, String cron, boolean exportedOnly, RetentionOverrides overrides,
                                int batchRecords, Duration batchPause, int partitionsAhead) {

    public static final int DEFAULT_DAYS = 60;
    public static final int MAX_DAYS = 2562;
    public static final int DEFAULT_HOUR = 2;

    public static RetentionSettings from(Config config) {
        boolean enabled = config.bool("retention.enabled", true);
        int days = config.integer("retention.days", DEFAULT_DAYS, 1, MAX_DAYS);
        int hour = config.integer("retention.hourOfDay", DEFAULT_HOUR, 0, 23);
        String cron = config.string("retention.cron", "0 0 " + hour + " * * ?");
        if (!org.quartz.CronExpression.isValidExpression(cron)) {
            throw new ConfigException("setting retention.cron = '" + cron
                    + "' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week), e.g. 0 0 2 * * ?");
        }
        Duration pause = config.duration("retention.batchPause", Duration.ofMillis(50));
        if (pause.isNegative() || pause.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new ConfigException("setting retention.batchPause = " + pause + " is not valid: expected 0 to 60s");
        }
        return new RetentionSettings(enabled, days, cron, config.bool("retention.exportedOnly", false),
                RetentionOverrides.from(config),
                config.integer("retention.batchRecords", 2_000, 1, 1_000_000), pause,
                config.integer("retention.partitionsAhead", 3, 1, 366));
    }
}
