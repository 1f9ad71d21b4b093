package io.archiver.cluster.schedule;

import io.archiver.cluster.ClusterKeys;
import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one node's {@link ArchiveScheduler}.
 *
 * <ul>
 *   <li>{@code nodeName}: the node's name, the readable start of the Quartz instance id (a random part
 *       is added so that two processes never share an id);</li>
 *   <li>{@code threads}: worker threads, i.e. jobs this node runs at once;</li>
 *   <li>{@code checkinInterval}: how often the node writes its heartbeat to
 *       {@code archive.qrtz_scheduler_state}; a node is taken for dead, and its jobs recovered by
 *       another, about {@code checkinInterval + 7.5 s} after its last check-in (Quartz's fixed grace);
 *       it is also the idle poll of the scheduler thread (between 1 s and 30 s), so a trigger another
 *       node hands back or changes is taken up within about this interval;</li>
 *   <li>{@code misfireThreshold}: how late a trigger may be before it counts as misfired (then it is
 *       fired once at once, see {@link ArchiveScheduler#scheduleCron}); also the period of the scan for
 *       misfires.</li>
 * </ul>
 */
public record SchedulerOptions(String nodeName, int threads, Duration checkinInterval, Duration misfireThreshold) {

    /** The database watcher holds one thread for good; the purge and partition maintenance take the others. */
    public static final int DEFAULT_THREADS = 4;
    public static final int MAX_THREADS = 100;
    public static final Duration DEFAULT_CHECKIN_INTERVAL = Duration.ofMillis(7500);
    public static final Duration MIN_CHECKIN_INTERVAL = Duration.ofMillis(500);
    public static final Duration MAX_CHECKIN_INTERVAL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_MISFIRE_THRESHOLD = Duration.ofSeconds(60);
    public static final Duration MIN_MISFIRE_THRESHOLD = Duration.ofSeconds(1);
    public static final Duration MAX_MISFIRE_THRESHOLD = Duration.ofHours(24);

    public SchedulerOptions {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(checkinInterval, "checkinInterval");
        Objects.requireNonNull(misfireThreshold, "misfireThreshold");
        nodeName = nodeName.strip();
        if (nodeName.isEmpty()) {
            throw new IllegalArgumentException("the scheduler's node name must not be blank");
        }
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("scheduler threads must be from 1 to " + MAX_THREADS + ", not " + threads);
        }
        if (!within(checkinInterval, MIN_CHECKIN_INTERVAL, MAX_CHECKIN_INTERVAL)) {
            throw new IllegalArgumentException("scheduler check-in interval must be from 500ms to 10m, not " + checkinInterval);
        }
        if (!within(misfireThreshold, MIN_MISFIRE_THRESHOLD, MAX_MISFIRE_THRESHOLD)) {
            throw new IllegalArgumentException("scheduler misfire threshold must be from 1s to 24h, not " + misfireThreshold);
        }
    }

    /** The defaults, for a node called {@code nodeName}. */
    public static SchedulerOptions defaults(String nodeName) {
        return new SchedulerOptions(nodeName, DEFAULT_THREADS, DEFAULT_CHECKIN_INTERVAL, DEFAULT_MISFIRE_THRESHOLD);
    }

    /**
     * Reads {@code scheduler.threads} (default 4, 1-100), {@code scheduler.checkinInterval} (default
     * 7500ms, 500ms-10m) and {@code scheduler.misfireThreshold} (default 60s, 1s-24h).
     *
     * @throws ConfigException naming the key when a value is malformed or out of range
     */
    public static SchedulerOptions from(Config config, String nodeName) {
        int threads = ClusterKeys.SCHEDULER_THREADS.get(config);
        Duration checkin = ClusterKeys.SCHEDULER_CHECKIN_INTERVAL.get(config);
        Duration misfire = ClusterKeys.SCHEDULER_MISFIRE_THRESHOLD.get(config);
        if (nodeName == null || nodeName.isBlank()) {
            throw new ConfigException("the scheduler needs the node's name; it is blank");
        }
        return new SchedulerOptions(nodeName, threads, checkin, misfire);
    }


    private static boolean within(Duration value, Duration min, Duration max) {
        return value.compareTo(min) >= 0 && value.compareTo(max) <= 0;
    }

}
