package io.archiver.cluster.failover;

import io.archiver.cluster.schedule.ArchiveScheduler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.InterruptableJob;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database watcher, as a clustered Quartz job: exactly one archive node runs it at a time.
 *
 * <p>It does not return after one check: a firing runs {@link FailoverWatcher#check()} every
 * {@code failover.checkInterval} until its node shuts down. The job store lives in the very database
 * it watches, so a job that fired once per check could not fire at all while the primary is down,
 * which is exactly when it is needed; a running job needs nothing from the job store. Its trigger
 * repeats every {@link #REFIRE} and is {@code BLOCKED} meanwhile ({@code @DisallowConcurrentExecution});
 * when the node stops cleanly the run ends and another node's next firing takes over, and when the
 * node dies the job is recovered by a survivor ({@code requestsRecovery}) once it misses its check-ins.
 */
@DisallowConcurrentExecution
public final class FailoverWatchJob implements InterruptableJob {

    public static final JobKey KEY = JobKey.jobKey("database-watch", "archiver");
    public static final String WATCHER = "failoverWatcher";
    /** How often the trigger fires; only matters when no node runs the job (between two nodes' runs). */
    public static final Duration REFIRE = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(FailoverWatchJob.class);

    private final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public void execute(JobExecutionContext context) {
        FailoverWatcher watcher = ArchiveScheduler.service(context, WATCHER, FailoverWatcher.class);
        long interval = watcher.settings().checkInterval().toMillis();
        log.info("watching the database cluster every {} ms ({} mode){}", interval, watcher.settings().mode().key(),
                context.isRecovering() ? ", taken over from a node that stopped" : "");
        try {
            while (stop.getCount() > 0) {
                long started = System.nanoTime();
                try {
                    watcher.check();
                } catch (RuntimeException e) {
                    log.error("database check failed: {}", e.getMessage(), e);
                }
                long left = interval - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                if (left > 0 && stop.await(left, TimeUnit.MILLISECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("database watch on this node stopped");
    }

    @Override
    public void interrupt() {
        stop.countDown();
    }
}
