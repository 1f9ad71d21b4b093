package io.archiver.compliance.integrity;

import static io.archiver.core.config.Role.NODE;

import io.archiver.core.config.Setting;
import io.archiver.core.config.SettingGroup;
import io.archiver.core.config.SettingType;
import java.time.Duration;
import java.util.List;
import org.quartz.CronExpression;

/** The integrity seals' keys ({@link IntegritySettings}). */
public final class IntegrityKeys implements SettingGroup {

    public static final Setting<Boolean> ENABLED = Setting.bool("integrity.enabled", NODE).withDefault(true)
            .withDoc("the node seals the days of the archive by a scheduled job");
    public static final Setting<String> CRON = Setting.of("integrity.cron", SettingType.string().named("cron", "a Quartz cron expression"), NODE)
            .withCheck(CronExpression::isValidExpression, "a Quartz cron expression")
            .withDefault(IntegritySettings.DEFAULT_CRON)
            .withDoc("when the seal job runs (hourly)");
    public static final Setting<Duration> GRACE = Setting.duration("integrity.grace", Duration.ZERO, Duration.ofDays(7), NODE)
            .withDefault(IntegritySettings.DEFAULT_GRACE)
            .withDoc("how long after the end of a UTC day it is sealed, for records still on their way");
    public static final Setting<Integer> RECHECK_DAYS = Setting.integer("integrity.recheckDays", 0, 3650, NODE)
            .withDefault(IntegritySettings.DEFAULT_RECHECK_DAYS)
            .withDoc("sealed days this recent are counted again at every run, to take in late records soon; older ones once a day");
    public static final Setting<String> KEY = Setting.secret("integrity.key", NODE).withNoDefault("none: seals are not signed")
            .withDoc("a secret kept outside the database: every seal carries an HMAC of its chain and verify checks it");

    @Override
    public String area() {
        return "Archive node: integrity seals";
    }

    @Override
    public int order() {
        return 50;
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(ENABLED, CRON, GRACE, RECHECK_DAYS, KEY);
    }
}
