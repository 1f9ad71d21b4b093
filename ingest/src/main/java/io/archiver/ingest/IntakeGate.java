package io.archiver.ingest;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Decides whether the front-end refuses new records (503): the spool broker not running, critical mode
 * tripped, or the spool full. With critical mode off an unreachable archive is not a reason: records wait in the spool for as long
 * as it has room, which is the point of having one.
 */
public final class IntakeGate {

    /** Why records are refused right now, and when to try again. */
    public record Refusal(String reason, int retryAfterSeconds) {
    }

    static final int RETRY_AFTER_CRITICAL_SECONDS = 10;
    static final int RETRY_AFTER_FULL_SECONDS = 30;
    static final int RETRY_AFTER_SPOOL_ERROR_SECONDS = 5;

    private final boolean critical;
    private final Duration criticalAfter;
    private final ArchiveLink link;
    private final SpoolCapacity capacity;
    private final BooleanSupplier spoolRunning;

    public IntakeGate(boolean critical, Duration criticalAfter, ArchiveLink link, SpoolCapacity capacity) {
        this(critical, criticalAfter, link, capacity, () -> true);
    }

    /** @param spoolRunning whether the spool broker is active; when it is not, writing would only time out */
    public IntakeGate(boolean critical, Duration criticalAfter, ArchiveLink link, SpoolCapacity capacity, BooleanSupplier spoolRunning) {
        this.critical = critical;
        this.criticalAfter = criticalAfter;
        this.link = link;
        this.capacity = capacity;
        this.spoolRunning = spoolRunning;
    }

    /** The refusal that applies to every request right now, before its size is known. */
    public Optional<Refusal> refusal() {
        if (!spoolRunning.getAsBoolean()) {
            return Optional.of(new Refusal("the local spool is not running, so nothing can be stored durably; see the front-end's log",
                    RETRY_AFTER_SPOOL_ERROR_SECONDS));
        }
        Optional<Refusal> tripped = criticalTrip();
        if (tripped.isPresent()) {
            return tripped;
        }
        return capacity.full() ? Optional.of(full(0)) : Optional.empty();
    }

    /** What readiness reports: {@link #refusal()}, or the spool refusing requests that do not fit any more. */
    public Optional<Refusal> readinessRefusal() {
        Optional<Refusal> now = refusal();
        if (now.isPresent()) {
            return now;
        }
        return capacity.refusing() ? Optional.of(full(0)) : Optional.empty();
    }

    /** Critical mode on and the archive unreachable for longer than {@code archiving.criticalAfter}. */
    public Optional<Refusal> criticalTrip() {
        if (!critical) {
            return Optional.empty();
        }
        Duration down = link.unreachableFor();
        if (down.compareTo(criticalAfter) <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Refusal("the archive has been unreachable for " + down.toSeconds() + "s and critical mode is on"
                + " (archiving.critical=true, archiving.criticalAfter=" + criticalAfter.toMillis() + "ms): records are refused until it is back",
                RETRY_AFTER_CRITICAL_SECONDS));
    }

    /** The refusal when a request of {@code requestBytes} does not fit into the spool. */
    public Refusal full(long requestBytes) {
        return new Refusal("the spool is full: " + capacity.usedBytes() + " bytes spooled"
                + (requestBytes > 0 ? " + " + requestBytes + " for this request" : "")
                + ", spool.maxBytes is " + capacity.maxBytes() + "; records are refused until the archive drains it",
                RETRY_AFTER_FULL_SECONDS);
    }

    public boolean criticalMode() {
        return critical;
    }
}
