package io.archiver.lab.drill;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one drill measured. Filled in as the drill goes, so a drill that stops early (the cluster never
 * got ready, no failover came) still reports how far it got and why ({@link #problem}).
 */
final class DrillResult {

    /** Lost or doubled ids listed in the report; the counts are always complete. */
    static final int SAMPLE = 20;

    final int number;
    final String runId;
    String oldPrimary;
    String newPrimary;
    long termBefore;
    Long term;
    Instant startedAt;
    Instant killedAt;
    Instant detectedAt;
    Instant promotedAt;
    Instant writesResumedAt;
    Instant firstArchivedAt;
    long sent;
    long accepted;
    long refused;
    long archived;
    long lost;
    long doubled;
    long archivedNotAccepted;
    List<String> lostIds = List.of();
    List<String> doubledIds = List.of();
    Duration drain;
    boolean drained;
    String problem;

    DrillResult(int number, String runId) {
        this.number = number;
        this.runId = runId;
    }

    boolean failedOver() {
        return term != null;
    }

    /** Failed over, everything accepted archived once, and nothing else went wrong. */
    boolean ok() {
        return failedOver() && problem == null && drained && lost == 0 && doubled == 0;
    }

    Duration killToDetected() {
        return since(detectedAt);
    }

    Duration killToPromoted() {
        return since(promotedAt);
    }

    Duration killToWritesResumed() {
        return since(writesResumedAt);
    }

    Duration killToFirstArchived() {
        return since(firstArchivedAt);
    }

    private Duration since(Instant event) {
        return killedAt == null || event == null ? null : Duration.between(killedAt, event);
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("drill", number);
        map.put("ok", ok());
        map.put("problem", problem);
        map.put("runId", runId);
        map.put("oldPrimary", oldPrimary);
        map.put("newPrimary", newPrimary);
        map.put("termBefore", termBefore);
        map.put("term", term);
        map.put("startedAt", text(startedAt));
        map.put("killedAt", text(killedAt));
        map.put("detectedAt", text(detectedAt));
        map.put("promotedAt", text(promotedAt));
        map.put("writesResumedAt", text(writesResumedAt));
        map.put("firstArchivedAt", text(firstArchivedAt));
        map.put("killToDetectedSeconds", seconds(killToDetected()));
        map.put("killToPromotedSeconds", seconds(killToPromoted()));
        map.put("killToWritesResumedSeconds", seconds(killToWritesResumed()));
        map.put("killToFirstArchivedSeconds", seconds(killToFirstArchived()));
        map.put("sent", sent);
        map.put("accepted", accepted);
        map.put("refused", refused);
        map.put("archived", archived);
        map.put("lost", lost);
        map.put("doubled", doubled);
        map.put("archivedNotAccepted", archivedNotAccepted);
        map.put("drained", drained);
        map.put("drainSeconds", seconds(drain));
        map.put("lostIds", lostIds);
        map.put("doubledIds", doubledIds);
        return map;
    }

    static Double seconds(Duration duration) {
        return duration == null ? null : Math.round(duration.toNanos() / 1_000_000.0) / 1000.0;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
