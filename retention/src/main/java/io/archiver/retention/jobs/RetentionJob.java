package io.archiver.retention.jobs;

import io.archiver.retention.purge.PurgeRequest;
import io.archiver.retention.purge.PurgeStatistics;
import io.archiver.retention.purge.Purger;
import io.archiver.cluster.schedule.ArchiveScheduler;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.InterruptableJob;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly purge ({@code retention.cron}). Requests recovery: if its node dies mid-purge, another
 * node's scheduler runs it again, and that run finishes the dead one's work. Interrupted (node
 * shutting down), it stops between two batches.
 */
@DisallowConcurrentExecution
public final class RetentionJob implements InterruptableJob {

    public static final JobKey KEY = JobKey.jobKey("retention-purge", "archiver");
    public static final String PURGER = "purger";

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

    private volatile boolean interrupted;

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        Purger purger = ArchiveScheduler.service(context, PURGER, Purger.class);
        if (context.isRecovering()) {
            log.warn("the retention purge was running on a node that stopped; running it again here");
        }
        try {
            PurgeStatistics stats = purger.run(PurgeRequest.scheduled(purger.settings(),
                    context.getScheduledFireTime().toInstant()), Purger.Progress.NONE, () -> interrupted);
            context.setResult(stats.toMap());
        } catch (Exception e) {
            throw new JobExecutionException("the retention purge failed: " + e.getMessage(), e, false);
        }
    }

    @Override
    public void interrupt() {
        interrupted = true;
    }
}
