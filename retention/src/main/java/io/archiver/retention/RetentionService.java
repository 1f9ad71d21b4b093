package io.archiver.retention;

import io.archiver.retention.failover.FailoverSettings;
import io.archiver.retention.failover.FailoverWatchJob;
import io.archiver.retention.failover.FailoverWatcher;
import io.micrometer.core.instrument.MeterRegistry;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.config.Config;
import io.archiver.retention.jobs.PartitionMaintenanceJob;
import io.archiver.retention.jobs.RetentionJob;
import io.archiver.retention.purge.Purger;
import io.archiver.retention.schedule.ArchiveScheduler;
import io.archiver.retention.schedule.SchedulerOptions;
import io.archiver.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive node's scheduled work: the clustered Quartz scheduler with the nightly retention purge,
 * the hourly partition maintenance and the database watcher (failover, see {@link FailoverWatcher}). Runs on a pool of its own, so a long purge never takes a
 * connection the writer needs. Start it after the node has migrated the database.
 */
public final class RetentionService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetentionService.class);

    private final RetentionSettings settings;
    private final HikariDataSource dataSource;
    private final Purger purger;
    private final ArchiveScheduler scheduler;

    private RetentionService(RetentionSettings settings, HikariDataSource dataSource, Purger purger, ArchiveScheduler scheduler) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.purger = purger;
        this.scheduler = scheduler;
    }

    public static RetentionService start(Config config, String nodeName) {
        return start(config, nodeName, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    /** With the failover watcher's metrics in {@code registry} (the node's). */
    public static RetentionService start(Config config, String nodeName, MeterRegistry registry) {
        RetentionSettings settings = RetentionSettings.from(config);
        FailoverSettings failover = FailoverSettings.from(config);
        SchedulerOptions options = SchedulerOptions.from(config, nodeName);
        // Quartz's threads, its trigger and cluster bookkeeping, and the purge's own connection.
        HikariDataSource dataSource = Database.open(config, "scheduler", options.threads() + 3);
        ArchiveScheduler scheduler = null;
        try {
            Purger purger = new Purger(dataSource, settings, nodeName);
            PartitionMaintenance maintenance = new PartitionMaintenance(dataSource, settings.partitionsAhead());
            try {
                maintenance.run();
            } catch (java.sql.SQLException e) {
                log.warn("could not create the coming days' partitions now (the hourly job will): {}", e.getMessage());
            }
            scheduler = ArchiveScheduler.start(dataSource, options);
            scheduler.putService(RetentionJob.PURGER, purger);
            scheduler.putService(PartitionMaintenanceJob.MAINTENANCE, maintenance);
            if (settings.enabled()) {
                scheduler.scheduleCron(RetentionJob.KEY, RetentionJob.class, settings.cron(), true);
            } else {
                scheduler.unschedule(RetentionJob.KEY);
            }
            scheduler.scheduleCron(PartitionMaintenanceJob.KEY, PartitionMaintenanceJob.class, PartitionMaintenanceJob.CRON, false);
            scheduler.putService(FailoverWatchJob.WATCHER, FailoverWatcher.create(config, failover, nodeName, registry));
            scheduler.scheduleRepeating(FailoverWatchJob.KEY, FailoverWatchJob.class, FailoverWatchJob.REFIRE, true);
            log.info("retention: {} days{}, purge {} ({}), scheduler instance {}", settings.days(),
                    settings.overrides().isEmpty() ? "" : " with overrides " + settings.overrides().daysByScope(),
                    settings.enabled() ? "on" : "off", settings.cron(), scheduler.instanceId());
            return new RetentionService(settings, dataSource, purger, scheduler);
        } catch (RuntimeException e) {
            if (scheduler != null) {
                scheduler.close();
            }
            dataSource.close();
            throw e;
        }
    }

    public RetentionSettings settings() {
        return settings;
    }

    public Purger purger() {
        return purger;
    }

    public ArchiveScheduler scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        scheduler.close();
        dataSource.close();
    }
}
