package io.archiver.retention;

import io.archiver.core.config.Config;
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

    /** Reads the {@code retention.*} keys ({@link RetentionKeys}). */
    public static RetentionSettings from(Config config) {
        return new RetentionSettings(RetentionKeys.ENABLED.get(config), RetentionKeys.DAYS.get(config), RetentionKeys.CRON.get(config),
                RetentionKeys.EXPORTED_ONLY.get(config), RetentionOverrides.from(config), RetentionKeys.BATCH_RECORDS.get(config),
                RetentionKeys.BATCH_PAUSE.get(config), RetentionKeys.PARTITIONS_AHEAD.get(config));
    }
}
