package io.archiver.retention.jobs;

import io.archiver.retention.PartitionMaintenance;
import io.archiver.cluster.schedule.ArchiveScheduler;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;

/** Every hour: the partitions of the coming days ({@link PartitionMaintenance}). */
@DisallowConcurrentExecution
public final class PartitionMaintenanceJob implements Job {

    public static final JobKey KEY = JobKey.jobKey("partition-maintenance", "archiver");
    public static final String CRON = "0 7 * * * ?";
    public static final String MAINTENANCE = "partitions";

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            ArchiveScheduler.service(context, MAINTENANCE, PartitionMaintenance.class).run();
        } catch (Exception e) {
            throw new JobExecutionException("keeping the day partitions ahead failed: " + e.getMessage(), e, false);
        }
    }
}
