package io.archiver.compliance.integrity;

import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.quartz.CronExpression;

/**
 * Settings of the integrity seals.
 *
 * <ul>
 *   <li>{@code integrity.enabled} (true): the node seals days by a Quartz job;</li>
 *   <li>{@code integrity.cron} ({@value #DEFAULT_CRON}): when the job runs (hourly);</li>
 *   <li>{@code integrity.grace} (1h, 0-7d): how long after the end of a UTC day it is sealed, for
 *       records still on their way;</li>
 *   <li>{@code integrity.recheckDays} (7, 0-3650): sealed days this recent are counted at every run, to
 *       take in late records soon; older ones once a day;</li>
 *   <li>{@code integrity.key} (or {@code integrity.keyFile}, or {@code ARCHIVER_INTEGRITY_KEY}): a secret
 *       kept outside the database; when set, every seal carries an HMAC of its chain and verify checks
 *       it, so that rewriting the seals needs more than SQL access. Never logged.</li>
 * </ul>
 */
public record IntegritySettings(boolean enabled, String cron, Duration grace, int recheckDays, Optional<byte[]> key) {

    public static final String DEFAULT_CRON = "0 17 * * * ?";
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    public static final int DEFAULT_RECHECK_DAYS = 7;

    public IntegritySettings {
        if (!CronExpression.isValidExpression(cron)) {
            throw new IllegalArgumentException("integrity.cron '" + cron + "' is not a Quartz cron expression");
        }
        if (grace.isNegative() || grace.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("integrity.grace must be from 0 to 7d, not " + grace);
        }
        key = key.map(byte[]::clone);
    }

    public static IntegritySettings defaults() {
        return new IntegritySettings(true, DEFAULT_CRON, DEFAULT_GRACE, DEFAULT_RECHECK_DAYS, Optional.empty());
    }

    /** Reads the {@code integrity.*} keys ({@link IntegrityKeys}). @throws ConfigException naming the key when a value is not valid */
    public static IntegritySettings from(Config config) {
        Optional<byte[]> key = IntegrityKeys.KEY.find(config).map(k -> k.getBytes(StandardCharsets.UTF_8));
        return new IntegritySettings(IntegrityKeys.ENABLED.get(config), IntegrityKeys.CRON.get(config), IntegrityKeys.GRACE.get(config),
                IntegrityKeys.RECHECK_DAYS.get(config), key);
    }

    public IntegritySettings withCron(String newCron) {
        return new IntegritySettings(enabled, newCron, grace, recheckDays, key);
    }

    public IntegritySettings withGrace(Duration newGrace) {
        return new IntegritySettings(enabled, cron, newGrace, recheckDays, key);
    }

    public IntegritySettings withKey(byte[] newKey) {
        return new IntegritySettings(enabled, cron, grace, recheckDays, Optional.ofNullable(newKey));
    }

    @Override
    public String toString() {
        return "IntegritySettings[enabled=" + enabled + ", cron=" + cron + ", grace=" + grace + ", recheckDays=" + recheckDays
                + ", key=" + (key.isPresent() ? "(set)" : "(none)") + "]";
    }
}
