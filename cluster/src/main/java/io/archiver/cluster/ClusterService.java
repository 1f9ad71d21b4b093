package io.archiver.cluster;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.cluster.failover.FailoverSettings;
import io.archiver.cluster.failover.FailoverWatchJob;
import io.archiver.cluster.failover.FailoverWatcher;
import io.archiver.cluster.node.NodeHeartbeat;
import io.archiver.cluster.schedule.ArchiveScheduler;
import io.archiver.cluster.schedule.SchedulerOptions;
import io.archiver.store.Database;
import io.archiver.store.DatabaseSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What makes archive nodes a cluster: the clustered Quartz scheduler (JDBC job store in the archive
 * database) that the feature modules put their jobs on, the database watch (failover, see
 * {@link FailoverWatcher}) as one of its jobs, and this node's heartbeat in {@code archive.nodes}.
 * Runs on a pool of its own, so a long job never takes a connection the writers need. Start it after
 * the node has migrated the database; the feature jobs may use {@link #dataSource()}.
 */
public final class ClusterService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterService.class);
    /** Connections beyond Quartz's threads: its trigger and cluster bookkeeping, and a purge's own. */
    private static final int EXTRA_CONNECTIONS = 3;

    private final String nodeName;
    private final FailoverSettings failover;
    private final HikariDataSource dataSource;
    private final ArchiveScheduler scheduler;
    private volatile NodeHeartbeat heartbeat;

    private ClusterService(String nodeName, FailoverSettings failover, HikariDataSource dataSource, ArchiveScheduler scheduler) {
        this.nodeName = nodeName;
        this.failover = failover;
        this.dataSource = dataSource;
        this.scheduler = scheduler;
    }

    /**
     * Starts the scheduler ({@code options}, whose node name is this node's) and schedules the database
     * watch ({@code failover}) on {@code database}, with its metrics in {@code registry} (the node's).
     */
    public static ClusterService start(FailoverSettings failover, SchedulerOptions options, DatabaseSettings database,
                                       MeterRegistry registry) {
        String nodeName = options.nodeName();
        HikariDataSource dataSource = Database.open(database, "scheduler", options.threads() + EXTRA_CONNECTIONS);
        ArchiveScheduler scheduler = null;
        try {
            scheduler = ArchiveScheduler.start(dataSource, options);
            scheduler.putService(FailoverWatchJob.WATCHER, FailoverWatcher.create(database, failover, nodeName, registry));
            scheduler.scheduleRepeating(FailoverWatchJob.KEY, FailoverWatchJob.class, FailoverWatchJob.REFIRE, true);
            log.info("cluster: scheduler instance {}, failover {}", scheduler.instanceId(), failover.mode().key());
            return new ClusterService(nodeName, failover, dataSource, scheduler);
        } catch (RuntimeException e) {
            if (scheduler != null) {
                scheduler.close();
            }
            dataSource.close();
            throw e;
        }
    }

    /**
     * Starts this node's heartbeat once its listeners are up: its row in {@code archive.nodes} names them.
     * The returned heartbeat also stamps when writes resumed after a failover; it is closed with this service.
     */
    public NodeHeartbeat beat(String httpUrl, String brokerUrl, LongSupplier queueDepth) {
        heartbeat = new NodeHeartbeat(dataSource, nodeName, httpUrl, brokerUrl, failover.mode().key(), queueDepth).start();
        return heartbeat;
    }

    public ArchiveScheduler scheduler() {
        return scheduler;
    }

    /** The pool the scheduled jobs run on. */
    public DataSource dataSource() {
        return dataSource;
    }

    public FailoverSettings failover() {
        return failover;
    }

    @Override
    public void close() {
        NodeHeartbeat beating = heartbeat;
        if (beating != null) {
            beating.close();
        }
        scheduler.close();
        dataSource.close();
    }
}
