package io.archiver.retention;

import static io.archiver.core.config.Role.NODE;

import io.archiver.core.config.KeyPattern;
import io.archiver.core.config.Role;
import io.archiver.core.config.Setting;
import io.archiver.core.config.SettingGroup;
import io.archiver.core.config.SettingType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

/** The retention keys ({@link RetentionSettings}, {@link RetentionOverrides}). */
public final class RetentionKeys implements SettingGroup {

    public static final Setting<Boolean> ENABLED = Setting.bool("retention.enabled", NODE).withDefault(true)
            .withDoc("the nightly purge runs (OCS EnablePurging)");
    public static final Setting<Integer> DAYS = Setting.integer("retention.days", 1, RetentionSettings.MAX_DAYS, NODE)
            .withDefault(RetentionSettings.DEFAULT_DAYS)
            .withDoc("days a record is kept (OCS KeepArchivingDataForDays)");
    public static final Setting<Integer> HOUR_OF_DAY = Setting.integer("retention.hourOfDay", 0, 23, NODE)
            .withDefault(RetentionSettings.DEFAULT_HOUR)
            .withDoc("hour (UTC) of the nightly purge (OCS PurgeHourOfDay); retention.cron wins over it");
    public static final Setting<String> CRON = Setting.of("retention.cron",
                    SettingType.string().named("cron", "a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week), e.g. 0 0 2 * * ?"),
                    NODE)
            .withCheck(org.quartz.CronExpression::isValidExpression,
                    "a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week), e.g. 0 0 2 * * ?")
            .withDerivedDefault(config -> "0 0 " + RetentionKeys.HOUR_OF_DAY.get(config) + " * * ?", "0 0 <retention.hourOfDay> * * ?")
            .withDoc("when the purge runs, as a Quartz cron expression");
    public static final Setting<Boolean> EXPORTED_ONLY = Setting.bool("retention.exportedOnly", NODE).withDefault(false)
            .withDoc("purge only records that were exported (OCS PurgeExportedArchivesOnly)");
    public static final Setting<Integer> BATCH_RECORDS = Setting.integer("retention.batchRecords", 1, 1_000_000, NODE).withDefault(2_000)
            .withDoc("rows one purge transaction removes or unlinks");
    public static final Setting<Duration> BATCH_PAUSE = Setting.duration("retention.batchPause", Duration.ZERO, Duration.ofSeconds(60), NODE)
            .withDefault(Duration.ofMillis(50))
            .withDoc("rest between two purge batches, so ingest keeps the machine");
    public static final Setting<Integer> PARTITIONS_AHEAD = Setting.integer("retention.partitionsAhead", 1, 366, NODE).withDefault(3)
            .withDoc("days of partitions of archive.messages kept ready beyond today");

    public static final KeyPattern OVERRIDES = new KeyPattern(
            List.of("retention.override.domain:<domain>", "retention.override.user:<sip uri>"), RetentionOverrides.PREFIX, "int",
            "1-" + RetentionSettings.MAX_DAYS, EnumSet.of(Role.NODE),
            "days kept for a domain's or a user's records; a record is kept as long as the longest retention of its participants "
                    + "(user override, else domain, else retention.days)");

    /** The value of one override key, with the range of {@link #DAYS}. */
    static Setting<Integer> override(String key) {
        return Setting.integer(key, 1, RetentionSettings.MAX_DAYS, NODE);
    }

    @Override
    public String area() {
        return "Archive node: retention";
    }

    @Override
    public int order() {
        return 40;
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(ENABLED, DAYS, HOUR_OF_DAY, CRON, EXPORTED_ONLY, BATCH_RECORDS, BATCH_PAUSE, PARTITIONS_AHEAD);
    }

    @Override
    public List<KeyPattern> patterns() {
        return List.of(OVERRIDES);
    }
}
