package io.archiver.lab;

import io.archiver.app.send.RecordSender;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.RecordJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link ImTrafficModel} traffic to the front-ends at a target rate: every 100 ms one NDJSON
 * batch to the next front-end in turn, with a burst of three times the rate for two seconds in every
 * twenty, as IM traffic comes.
 */
public final class TrafficGenerator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrafficGenerator.class);
    private static final int TICKS_PER_SECOND = 10;

    private final ImTrafficModel model;
    private final List<RecordSender> frontends = new ArrayList<>();
    private final List<ExecutorService> senders = new ArrayList<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "traffic-ticker"));
    private final double ratePerSecond;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    /** Told the ids of every batch a front-end accepted (202), on the sender threads. */
    private volatile Consumer<List<String>> acceptedIds = ids -> { };
    private long ticks;
    private double carry;
    private int nextFrontend;

    public TrafficGenerator(ImTrafficModel model, List<String> frontendUrls, String ingestToken, double ratePerSecond) {
        this.model = model;
        this.ratePerSecond = ratePerSecond;
        for (String url : frontendUrls) {
            frontends.add(new RecordSender(url, ingestToken, Duration.ofSeconds(30)));
            senders.add(Executors.newSingleThreadExecutor(r -> new Thread(r, "traffic-" + url)));
        }
    }

    /**
     * Hands the record ids of each accepted batch to {@code listener} (called on the sender threads, so it
     * must be thread-safe): the failover drill compares them with what the archive holds. Set before
     * {@link #start()}.
     */
    public TrafficGenerator onAccepted(Consumer<List<String>> listener) {
        this.acceptedIds = listener;
        return this;
    }

    public void start() {
        ticker.scheduleAtFixedRate(this::tick, 0, 1000 / TICKS_PER_SECOND, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        ticks++;
        boolean burst = (ticks / TICKS_PER_SECOND) % 20 >= 18;
        carry += ratePerSecond * (burst ? 3 : 1) / TICKS_PER_SECOND;
        int count = (int) carry;
        if (count == 0) {
            return;
        }
        carry -= count;
        List<ArchiveRecord> batch = model.next(count, Instant.now());
        byte[] body = RecordJson.toNdjson(batch);
        List<String> ids = batch.stream().map(ArchiveRecord::id).toList();
        int target = nextFrontend++ % frontends.size();
        RecordSender sender = frontends.get(target);
        sent.addAndGet(count);
        senders.get(target).execute(() -> {
            try {
                int taken = sender.send(body);
                accepted.addAndGet(taken);
                // a 202 accepts every record of the request (RecordsEndpoint), so these ids are all in a spool
                acceptedIds.accept(ids);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                refused.addAndGet(count);
            } catch (Exception e) {
                refused.addAndGet(count);
                log.warn("a batch of {} records was not accepted: {}", count, e.getMessage());
            }
        });
    }

    public long sent() {
        return sent.get();
    }

    public long accepted() {
        return accepted.get();
    }

    public long refused() {
        return refused.get();
    }

    /** Stops generating and waits for the batches already handed to senders to be answered. */
    @Override
    public void close() throws InterruptedException {
        ticker.shutdownNow();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        for (ExecutorService sender : senders) {
            sender.shutdown();
        }
        for (ExecutorService sender : senders) {
            sender.awaitTermination(60, TimeUnit.SECONDS);
        }
    }
}
