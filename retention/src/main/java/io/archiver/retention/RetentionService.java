package io.archiver.retention;

import io.archiver.cluster.schedule.ArchiveScheduler;
import io.archiver.retention.jobs.PartitionMaintenanceJob;
import io.archiver.retention.jobs.RetentionJob;
import io.archiver.retention.purge.Purger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention on an archive node: the purger (one per node, shared by the nightly job and the HTTP
 * purges) and the jobs it puts on the cluster's scheduler: the retention purge on
 * {@code retention.cron} and the hourly partition maintenance. The jobs run on the scheduler's pool,
 * so a long purge never takes a connection the writers need. Start it after the node has migrated
 * the database.
 */
public final class RetentionService {

    private static final Logger log = LoggerFactory.getLogger(RetentionService.class);

    private final RetentionSettings settings;
    private final Purger purger;

    private RetentionService(RetentionSettings settings, Purger purger) {
        this.settings = settings;
        this.purger = purger;
    }

    /** Registers the purger and the maintenance and (un)schedules their jobs; idempotent, every node calls it at every start. */
    public static RetentionService start(RetentionSettings settings, ArchiveScheduler scheduler, DataSource dataSource, String nodeName) {
        Purger purger = new Purger(dataSource, settings, nodeName);
        PartitionMaintenance maintenance = new PartitionMaintenance(dataSource, settings.partitionsAhead());
        try {
            maintenance.run();
        } catch (java.sql.SQLException e) {
            log.warn("could not create the coming days' partitions now (the hourly job will): {}", e.getMessage());
        }
        scheduler.putService(RetentionJob.PURGER, purger);
        scheduler.putService(PartitionMaintenanceJob.MAINTENANCE, maintenance);
        if (settings.enabled()) {
            scheduler.scheduleCron(RetentionJob.KEY, RetentionJob.class, settings.cron(), true);
        } else {
            scheduler.unschedule(RetentionJob.KEY);
        }
        scheduler.scheduleCron(PartitionMaintenanceJob.KEY, PartitionMaintenanceJob.class, PartitionMaintenanceJob.CRON, false);
        log.info("retention: {} days{}, purge {} ({})", settings.days(),
                settings.overrides().isEmpty() ? "" : " with overrides " + settings.overrides().daysByScope(),
                settings.enabled() ? "on" : "off", settings.cron());
        return new RetentionService(settings, purger);
    }

    public RetentionSettings settings() {
        return settings;
    }

    /** The node's purger: the scheduled job's and the HTTP purges'. */
    public Purger purger() {
        return purger;
    }
}
