package io.archiver.cluster.node;

import io.archiver.cluster.failover.FailoverLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this archive node's row of {@code archive.nodes} fresh (every {@link #INTERVAL}), so that
 * {@code status} and {@code GET /v1/cluster} on any node list every node with its queue depth and
 * whether it is alive. Also stamps {@code archive.failovers.writes_resumed_at} for the writers (see
 * {@link #writesResumed}). Database errors are expected during a failover and only logged at debug:
 * the next beat tries again.
 */
public final class NodeHeartbeat implements AutoCloseable {

    public static final Duration INTERVAL = Duration.ofSeconds(2);
    /** A node whose last beat is older than this is shown as down. */
    public static final Duration STALE_AFTER = Duration.ofSeconds(10);
    /** How long a resumed writer keeps trying to stamp the failover (its row may be committed just after). */
    static final Duration STAMP_FOR = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);

    private final DataSource dataSource;
    private final String name;
    private final String httpUrl;
    private final String brokerUrl;
    private final String failoverMode;
    private final LongSupplier queueDepth;
    private final Instant startedAt = Instant.now();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "node-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    public NodeHeartbeat(DataSource dataSource, String name, String httpUrl, String brokerUrl, String failoverMode,
                         LongSupplier queueDepth) {
        this.dataSource = dataSource;
        this.name = name;
        this.httpUrl = httpUrl;
        this.brokerUrl = brokerUrl;
        this.failoverMode = failoverMode;
        this.queueDepth = queueDepth;
    }

    public NodeHeartbeat start() {
        executor.scheduleWithFixedDelay(this::beat, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void beat() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement upsert = connection.prepareStatement("INSERT INTO archive.nodes "
                     + "(name, http_url, broker_url, pid, started_at, last_seen, queue_depth, failover_mode) "
                     + "VALUES (?, ?, ?, ?, ?, now(), ?, ?) ON CONFLICT (name) DO UPDATE SET http_url = excluded.http_url, "
                     + "broker_url = excluded.broker_url, pid = excluded.pid, started_at = excluded.started_at, "
                     + "last_seen = excluded.last_seen, queue_depth = excluded.queue_depth, failover_mode = excluded.failover_mode")) {
            upsert.setString(1, name);
            upsert.setString(2, httpUrl);
            upsert.setString(3, brokerUrl);
            upsert.setLong(4, ProcessHandle.current().pid());
            upsert.setTimestamp(5, Timestamp.from(startedAt));
            upsert.setLong(6, queueDepth.getAsLong());
            upsert.setString(7, failoverMode);
            upsert.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            log.debug("heartbeat of node {} not written: {}", name, e.getMessage());
        }
    }

    /**
     * The writers' first commit on a new primary: stamp the failover that happened since their last commit
     * on the old one ({@code outageStart}), retrying for {@link #STAMP_FOR} in case the watcher commits its
     * row just after the writers resumed.
     */
    public void writesResumed(Instant outageStart, Instant resumedAt) {
        long deadline = System.nanoTime() + STAMP_FOR.toNanos();
        Runnable attempt = new Runnable() {
            @Override
            public void run() {
                try {
                    if (FailoverLog.markWritesResumed(dataSource, outageStart, resumedAt, name) > 0) {
                        log.info("writes resumed at {} after the failover (outage from {})", resumedAt, outageStart);
                        return;
                    }
                } catch (SQLException | RuntimeException e) {
                    log.debug("cannot stamp writes_resumed_at yet: {}", e.getMessage());
                }
                if (System.nanoTime() < deadline && !executor.isShutdown()) {
                    executor.schedule(this, 1, TimeUnit.SECONDS);
                }
            }
        };
        try {
            executor.execute(attempt);
        } catch (RuntimeException e) {
            log.debug("node closing; writes_resumed_at not stamped");
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
