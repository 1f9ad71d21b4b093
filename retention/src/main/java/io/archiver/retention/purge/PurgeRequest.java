package io.archiver.retention.purge;

import io.archiver.retention.RetentionSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One purge to run (the analogue of OCS {@code Invoke-CsArchivingDatabasePurge} and of the nightly
 * purge). A scheduled purge applies {@code retention.days} with the per-domain and per-user overrides
 * both ways (a shorter override lets records go sooner). A manual purge names its own age, which
 * replaces the default retention; overrides longer than that age still keep their records (an
 * administrator's "older than 30 days" never removes what a 7-year override keeps), shorter ones do
 * not make it remove anything younger than asked.
 *
 * @param olderThan  age beyond which records go (the default retention for a scheduled purge)
 * @param maxRecords   at most this many records, oldest first; null for no limit
 * @param scheduledFor the fire time of a scheduled purge (recorded, so a run can be matched to its trigger); else null
 */
public record PurgeRequest(Trigger trigger, String actor, boolean dryRun, Duration olderThan, boolean exportedOnly,
                           Long maxRecords, java.time.Instant scheduledFor) {

    public static final long MAX_HOURS = RetentionSettings.MAX_DAYS * 24L;

    /** Who started it: the schedule, the command line, or the HTTP API. */
    public enum Trigger {
        SCHEDULE("schedule"), COMMAND("command"), API("api");

        private final String wireName;

        Trigger(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    public PurgeRequest {
        if (olderThan.isNegative() || olderThan.toHours() < 1 || olderThan.toHours() > MAX_HOURS) {
            throw new IllegalArgumentException("the purge age must be from 1 hour to " + RetentionSettings.MAX_DAYS
                    + " days (" + MAX_HOURS + " hours), not " + olderThan.toHours() + " hours");
        }
        if (maxRecords != null && maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1, not " + maxRecords);
        }
    }

    /** A manual purge. */
    public PurgeRequest(Trigger trigger, String actor, boolean dryRun, Duration olderThan, boolean exportedOnly, Long maxRecords) {
        this(trigger, actor, dryRun, olderThan, exportedOnly, maxRecords, null);
    }

    /** The nightly purge the settings describe, fired for {@code scheduledFor}. */
    public static PurgeRequest scheduled(RetentionSettings settings, java.time.Instant scheduledFor) {
        return new PurgeRequest(Trigger.SCHEDULE, "scheduler", false, Duration.ofDays(settings.days()), settings.exportedOnly(), null,
                scheduledFor);
    }

    public boolean scheduled() {
        return trigger == Trigger.SCHEDULE;
    }

    /** As recorded in {@code archive.purge_runs.parameters} and the audit log. */
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("dryRun", dryRun);
        if (olderThan.toHours() % 24 == 0) {
            p.put("olderThanDays", olderThan.toDays());
        } else {
            p.put("olderThanHours", olderThan.toHours());
        }
        p.put("exportedOnly", exportedOnly);
        p.put("maxRecords", maxRecords);
        if (scheduledFor != null) {
            p.put("scheduledFor", scheduledFor.toString());
        }
        return p;
    }
}
