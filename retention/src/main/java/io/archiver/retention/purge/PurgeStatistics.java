package io.archiver.retention.purge;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * What a purge did, or in a dry run would do (the statistics OCS's purge cmdlet returns, and more):
 * records removed, records past their retention kept by a legal hold, records past their retention
 * kept because they are not exported yet (exported-only), per day; whole day partitions dropped;
 * eligible records left because of {@code maxRecords}; how long it took; earlier runs it finished
 * after their node died.
 */
public record PurgeStatistics(long runId, boolean dryRun, long purged, long heldBack, long notExported, int partitionsDropped,
                              long remaining, SortedMap<LocalDate, DayCount> perDay, long durationMillis, List<Long> recoveredRuns) {

    /** One day's share. */
    public record DayCount(long purged, long heldBack, long notExported) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("purged", purged);
            m.put("heldBack", heldBack);
            m.put("notExported", notExported);
            return m;
        }
    }

    /** For JSON (HTTP answer, audit log, {@code purge_runs.details}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", runId);
        m.put("dryRun", dryRun);
        m.put("purged", purged);
        m.put("heldBack", heldBack);
        m.put("notExported", notExported);
        m.put("partitionsDropped", partitionsDropped);
        m.put("remaining", remaining);
        Map<String, Object> days = new LinkedHashMap<>();
        perDay.forEach((day, count) -> days.put(day.toString(), count.toMap()));
        m.put("perDay", days);
        m.put("durationMs", durationMillis);
        m.put("recoveredRuns", recoveredRuns);
        return m;
    }
}
