package io.archiver.cluster.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of {@code archive.failovers}: a standby promoted (managed mode) or a change of primary seen
 * (external mode).
 */
public record Failover(long term, String mode, String oldPrimary, String newPrimary, Instant detectedAt,
                       Instant promotedAt, Instant writesResumedAt, String resumedBy, String node, Integer misses) {

    /** From the first missed check to the promotion. */
    public Duration takeover() {
        return Duration.between(detectedAt, promotedAt);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("term", term);
        map.put("mode", mode);
        map.put("oldPrimary", oldPrimary);
        map.put("newPrimary", newPrimary);
        map.put("detectedAt", detectedAt.toString());
        map.put("promotedAt", promotedAt.toString());
        map.put("writesResumedAt", writesResumedAt == null ? null : writesResumedAt.toString());
        map.put("resumedBy", resumedBy);
        map.put("node", node);
        map.put("misses", misses);
        map.put("takeoverSeconds", takeover().toMillis() / 1000.0);
        map.put("detectedToWritesSeconds", writesResumedAt == null ? null
                : Duration.between(detectedAt, writesResumedAt).toMillis() / 1000.0);
        return map;
    }
}
