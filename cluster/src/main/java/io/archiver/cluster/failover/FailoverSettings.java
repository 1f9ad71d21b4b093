package io.archiver.cluster.failover;

import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import io.archiver.store.DatabaseHosts;
import java.time.Duration;
import java.util.Locale;

/**
 * How the archive nodes treat the database cluster (contract section 6, {@code failover.*}).
 *
 * @param mode          {@code failover.mode}: {@link Mode#MANAGED} (the lab: the nodes watch the primary, promote the
 *                      standby, fence an old primary, and switch synchronous replication on while a standby streams)
 *                      or {@link Mode#EXTERNAL} (default: Patroni or a cloud service does all that; the nodes only
 *                      follow the JDBC URL, watch, and record the changes of primary they see)
 * @param checkInterval {@code failover.checkInterval} (1s): how often the watcher looks at every server
 * @param misses        {@code failover.misses} (3): missed checks of the primary before the standby is promoted
 * @param probeTimeout  {@code failover.probeTimeout} (1s, whole seconds): connect and statement time-out of a check
 * @param synchronous   {@code failover.synchronous} (true): in managed mode, keep synchronous replication on while a
 *                      standby streams, so that a commit the archive acknowledged is on the standby too; without it a
 *                      promotion can lose the primary's last commits, and the watcher refuses to promote
 * @param promoteTimeout {@code failover.promoteTimeout} (30s): how long {@code pg_promote} may take
 */
public record FailoverSettings(Mode mode, Duration checkInterval, int misses, int probeTimeoutSeconds, boolean synchronous,
                               Duration promoteTimeout) {

    public enum Mode {
        MANAGED, EXTERNAL;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_MISSES = 3;

    public static FailoverSettings from(Config config) {
        String modeText = config.string("failover.mode", "external").strip().toLowerCase(Locale.ROOT);
        Mode mode = switch (modeText) {
            case "managed" -> Mode.MANAGED;
            case "external" -> Mode.EXTERNAL;
            default -> throw new ConfigException("failover.mode must be managed or external, not '" + modeText + "'");
        };
        Duration interval = config.duration("failover.checkInterval", DEFAULT_CHECK_INTERVAL);
        if (interval.compareTo(Duration.ofMillis(200)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException("failover.checkInterval must be from 200ms to 1m, not " + interval);
        }
        int misses = config.integer("failover.misses", DEFAULT_MISSES, 1, 100);
        Duration probe = config.duration("failover.probeTimeout", Duration.ofSeconds(1));
        if (probe.toSeconds() < 1 || probe.toSeconds() > 30) {
            throw new ConfigException("failover.probeTimeout must be from 1s to 30s (whole seconds), not " + probe);
        }
        Duration promote = config.duration("failover.promoteTimeout", Duration.ofSeconds(30));
        if (promote.toSeconds() < 1 || promote.toSeconds() > 3600) {
            throw new ConfigException("failover.promoteTimeout must be from 1s to 1h, not " + promote);
        }
        FailoverSettings settings = new FailoverSettings(mode, interval, misses, (int) probe.toSeconds(),
                config.bool("failover.synchronous", true), promote);
        if (mode == Mode.MANAGED) {
            DatabaseHosts hosts = DatabaseHosts.parse(config.required("db.url"));
            if (hosts.hosts().size() < 2) {
                throw new ConfigException("failover.mode=managed needs db.url to list the primary and the standby, e.g. "
                        + "jdbc:postgresql://h1:5432,h2:5432/archive?targetServerType=primary (it lists "
                        + hosts.hosts().size() + " server)");
            }
        }
        return settings;
    }

    public boolean managed() {
        return mode == Mode.MANAGED;
    }
}
