package io.archiver.cluster.schedule;

import java.time.Instant;

/**
 * One job of the cluster as {@code GET /v1/cluster} shows it. The values come from the shared job
 * store, so every node reports the same: the previous fire time is that of whichever node fired it.
 *
 * @param name             the job's name ({@link org.quartz.JobKey#getName()})
 * @param group            the job's group ({@link org.quartz.JobKey#getGroup()})
 * @param cron             the Quartz cron expression of its trigger; null when it has no cron trigger
 * @param nextFireTime     when it fires next; null when it has no trigger or the trigger is done
 * @param previousFireTime when its trigger last fired; null when it has not fired yet
 * @param state            Quartz's trigger state: {@code NORMAL} (waiting), {@code BLOCKED} (running
 *                         somewhere in the cluster, a {@code @DisallowConcurrentExecution} job),
 *                         {@code PAUSED}, {@code COMPLETE}, {@code ERROR}, or {@code NONE} (no trigger)
 */
public record ScheduledJob(String name, String group, String cron, Instant nextFireTime, Instant previousFireTime, String state) {
}
