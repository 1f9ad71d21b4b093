package io.archiver.cluster.failover;

import io.archiver.cluster.ClusterKeys;
import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import io.archiver.store.DatabaseHosts;
import io.archiver.store.StoreKeys;
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

    /** Reads the {@code failover.*} keys ({@link ClusterKeys}); managed mode checks that {@code db.url} lists two servers. */
    public static FailoverSettings from(Config config) {
        Mode mode = ClusterKeys.FAILOVER_MODE.get(config).equals("managed") ? Mode.MANAGED : Mode.EXTERNAL;
        FailoverSettings settings = new FailoverSettings(mode, ClusterKeys.FAILOVER_CHECK_INTERVAL.get(config),
                ClusterKeys.FAILOVER_MISSES.get(config), (int) ClusterKeys.FAILOVER_PROBE_TIMEOUT.get(config).toSeconds(),
                ClusterKeys.FAILOVER_SYNCHRONOUS.get(config), ClusterKeys.FAILOVER_PROMOTE_TIMEOUT.get(config));
        if (mode == Mode.MANAGED) {
            DatabaseHosts hosts = DatabaseHosts.parse(StoreKeys.DB_URL.get(config));
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
