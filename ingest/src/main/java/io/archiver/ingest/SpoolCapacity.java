package io.archiver.ingest;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Keeps the spool within {@code spool.maxBytes}: what the spool queue holds plus what requests in flight
 * have reserved, so two concurrent requests cannot both squeeze into the last free megabyte. Artemis's
 * own limits would block or fail senders; this lets the endpoint answer 503 with Retry-After instead.
 * <p>
 * The queue's size is updated a moment after a commit returns (Artemis adds committed messages to the
 * queue on its own executor), so a spooled request keeps its reservation for {@link #SETTLE_MILLIS}
 * longer; it is counted twice for that moment rather than not at all.
 */
public final class SpoolCapacity {

    /** Broker bookkeeping per spool message (headers, properties) on top of its body. */
    static final long MESSAGE_OVERHEAD_BYTES = 256;
    /** How long a committed request stays reserved while the queue's own size catches up. */
    static final long SETTLE_MILLIS = 2000;

    private final long maxBytes;
    private final LongSupplier spooledBytes;
    private final Deque<Settling> settling = new ArrayDeque<>();
    private long reserved;
    /** Size of the last request that did not fit, until one fits again; 0 when none was refused. */
    private long lastRefusedBytes;

    /** A spooled request's bytes, still reserved until {@code untilMillis}. */
    private record Settling(long untilMillis, long bytes) {
    }

    public SpoolCapacity(long maxBytes, LongSupplier spooledBytes) {
        this.maxBytes = maxBytes;
        this.spooledBytes = spooledBytes;
    }

    /** Room held for one request until it has been spooled (or failed); then it counts in the queue itself. */
    public final class Reservation implements AutoCloseable {
        private final long bytes;
        private boolean released;
        private boolean spooled;

        private Reservation(long bytes) {
            this.bytes = bytes;
        }

        /** The request is in the spool: keep the room a little longer, until the queue's size shows it. */
        public void spooled() {
            synchronized (SpoolCapacity.this) {
                spooled = true;
            }
        }

        /** Gives the room back: at once when nothing was spooled, after {@link #SETTLE_MILLIS} otherwise. */
        @Override
        public void close() {
            synchronized (SpoolCapacity.this) {
                if (released) {
                    return;
                }
                released = true;
                if (spooled) {
                    settling.addLast(new Settling(System.currentTimeMillis() + SETTLE_MILLIS, bytes));
                } else {
                    reserved -= bytes;
                }
            }
        }
    }

    /** The bytes a batch will take in the spool. */
    public static long sizeOf(SpoolBatch batch) {
        return batch.bytes() + batch.chunks().size() * MESSAGE_OVERHEAD_BYTES;
    }

    /** Room for {@code bytes} more, or empty when the spool would then exceed its limit. */
    public synchronized Optional<Reservation> tryReserve(long bytes) {
        settle();
        if (spooledBytes.getAsLong() + reserved + bytes > maxBytes) {
            lastRefusedBytes = bytes;
            return Optional.empty();
        }
        lastRefusedBytes = 0;
        reserved += bytes;
        return Optional.of(new Reservation(bytes));
    }

    /** Whether nothing at all fits any more: every request is refused before its body is read. */
    public synchronized boolean full() {
        settle();
        return spooledBytes.getAsLong() + reserved >= maxBytes;
    }

    /**
     * Whether the front-end is refusing for lack of room: nothing fits, or the last request that was
     * refused still would not fit (and none has fitted since). This is what readiness reports, so a
     * load balancer steers traffic away before every request is turned down.
     */
    public synchronized boolean refusing() {
        settle();
        long used = spooledBytes.getAsLong() + reserved;
        return used >= maxBytes || (lastRefusedBytes > 0 && used + lastRefusedBytes > maxBytes);
    }

    /** Releases the reservations of spooled requests whose bytes the queue has had time to count. */
    private void settle() {
        long now = System.currentTimeMillis();
        while (!settling.isEmpty() && settling.peekFirst().untilMillis() <= now) {
            reserved -= settling.pollFirst().bytes();
        }
    }

    public long usedBytes() {
        return spooledBytes.getAsLong();
    }

    public long maxBytes() {
        return maxBytes;
    }
}
