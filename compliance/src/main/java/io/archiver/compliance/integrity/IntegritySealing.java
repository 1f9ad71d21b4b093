package io.archiver.compliance.integrity;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.cluster.schedule.ArchiveScheduler;
import io.archiver.store.Database;
import io.archiver.store.DatabaseSettings;
import javax.sql.DataSource;
import org.quartz.SchedulerException;
import org.quartz.listeners.SchedulerListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Puts the seal job on a node's clustered scheduler. */
public final class IntegritySealing {

    private static final Logger log = LoggerFactory.getLogger(IntegritySealing.class);

    private IntegritySealing() {
    }

    /**
     * Registers the sealer (on {@code dataSource}, which the caller keeps open while the scheduler runs)
     * and schedules {@link IntegritySealJob} on {@code settings.cron()}, or unschedules it when
     * {@code integrity.enabled} is false. Idempotent: every node calls it at every start.
     */
    public static IntegritySealer schedule(ArchiveScheduler scheduler, DataSource dataSource, IntegritySettings settings, String nodeName) {
        IntegritySealer sealer = new IntegritySealer(dataSource, settings, nodeName);
        scheduler.putService(IntegritySealJob.SEALER, sealer);
        if (settings.enabled()) {
            scheduler.scheduleCron(IntegritySealJob.KEY, IntegritySealJob.class, settings.cron(), false);
            log.info("integrity: days sealed on '{}' after a grace of {}{}", settings.cron(), settings.grace(),
                    settings.key().isPresent() ? ", seals signed with integrity.key" : "");
        } else {
            scheduler.unschedule(IntegritySealJob.KEY);
            log.info("integrity: sealing off (integrity.enabled=false)");
        }
        return sealer;
    }

    /**
     * For the archive node: schedules the seal job on the cluster's scheduler, with a pool of its own (one
     * connection; closed when the scheduler shuts down). Bad integrity settings throw
     * {@link io.archiver.core.config.ConfigException}.
     */
    public static IntegritySealer attach(ArchiveScheduler scheduler, IntegritySettings settings, DatabaseSettings database, String nodeName) {
        HikariDataSource pool = Database.open(database, "integrity", 1);
        try {
            scheduler.quartz().getListenerManager().addSchedulerListener(new SchedulerListenerSupport() {
                @Override
                public void schedulerShutdown() {
                    pool.close();
                }
            });
            return schedule(scheduler, pool, settings, nodeName);
        } catch (SchedulerException | RuntimeException e) {
            pool.close();
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("cannot schedule the integrity seals: " + e.getMessage(), e);
        }
    }
}
