package io.archiver.lab.drill;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A drill's load and timing: {@code rate} records per second through the front-ends, {@code before} of
 * load before the kill, {@code after} of load once writes resumed, then up to {@code drainTimeout} for
 * the archive to hold every accepted record.
 */
record DrillSettings(int drills, double rate, Duration before, Duration after, Duration drainTimeout) {

    /** How long a drill waits for a primary with a synchronous standby (the lab rebuilds one after a failover). */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    /** No failover row within this of the kill: the drill failed. */
    static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(60);
    /** How long after the kill to wait for writes to resume (seen and stamped) before going on without. */
    static final Duration RESUME_TIMEOUT = Duration.ofSeconds(90);
    /** How long after the nodes archive again to wait for the writer's writes_resumed_at stamp (it retries for 30 s). */
    static final Duration STAMP_WAIT = Duration.ofSeconds(35);

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("drills", drills);
        map.put("rate", rate);
        map.put("beforeSeconds", DrillResult.seconds(before));
        map.put("afterSeconds", DrillResult.seconds(after));
        map.put("drainTimeoutSeconds", DrillResult.seconds(drainTimeout));
        return map;
    }
}
