package io.archiver.compliance.integrity;

import io.archiver.cluster.schedule.ArchiveScheduler;
import java.time.Instant;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;

/**
 * Hourly ({@code integrity.cron}): seals the finished days and brings changed sealed days up to date
 * ({@link IntegritySealer}). One run at a time in the cluster; a run that dies is not recovered (the next
 * one does the same work: sealing is idempotent).
 */
@DisallowConcurrentExecution
public final class IntegritySealJob implements Job {

    public static final JobKey KEY = JobKey.jobKey("integrity-seal", "archiver");
    public static final String SEALER = "integrity-sealer";

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            ArchiveScheduler.service(context, SEALER, IntegritySealer.class).run(Instant.now());
        } catch (Exception e) {
            throw new JobExecutionException("sealing the archive's days failed: " + e.getMessage(), e, false);
        }
    }
}
