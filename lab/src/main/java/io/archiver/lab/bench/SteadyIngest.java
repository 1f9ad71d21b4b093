package io.archiver.lab.bench;

import io.archiver.lab.ImTrafficModel;
import io.archiver.lab.LabCluster;
import io.archiver.app.send.RecordSender;
import io.archiver.core.record.RecordJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Full-speed ingest for as long as asked, through the front-ends over HTTP (what {@link BenchCommand}
 * does for a fixed number of records): each sender thread makes its own batches of realistic records
 * (sent now, unique ids) and posts them. The senders keep at most {@code backlogLimit} records
 * accepted and not yet archived, so the archive node always has work waiting but the spools do not grow
 * without bound over a long run (which would make a later phase pay for an earlier one's backlog).
 */
final class SteadyIngest {

    private final LabCluster lab;
    private final List<RecordSender> targets;
    private final int senders;
    private final int batch;
    private final long backlogLimit;
    private final String runId = "steady-" + UUID.randomUUID().toString().substring(0, 8);
    private final long baseline;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private int round;

    SteadyIngest(LabCluster lab, String token, int senders, int batch) {
        this.lab = lab;
        this.targets = lab.frontendUrls().stream().map(u -> new RecordSender(u, token, Duration.ofMinutes(5))).toList();
        this.senders = senders;
        this.batch = batch;
        this.backlogLimit = Math.max(50_000L, 4L * senders * batch);
        this.baseline = lab.archivedByNode();
    }

    /** The prefix of every record id this ingest sends. */
    String runId() {
        return runId;
    }

    /** Records the node has archived since this ingest was made (its counter, cheap to poll). */
    long archived() {
        return lab.archivedByNode() - baseline;
    }

    long sent() {
        return sent.get();
    }

    void start() {
        if (running) {
            throw new IllegalStateException("already running");
        }
        running = true;
        round++;
        for (int s = 0; s < senders; s++) {
            ImTrafficModel model = new ImTrafficModel(runId + "-" + round + "-" + s, 1000L * round + s, 200);
            Thread thread = new Thread(() -> send(model), "bench-sender-" + s);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void send(ImTrafficModel model) {
        try {
            while (running) {
                byte[] body = RecordJson.toNdjson(model.next(batch, Instant.now()));
                while (running && sent.get() - archived() > backlogLimit) {
                    Thread.sleep(1);
                }
                if (!running) {
                    return;
                }
                long r = requests.getAndIncrement();
                targets.get((int) (r % targets.size())).send(body);
                sent.addAndGet(batch);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
            running = false;
        }
    }

    /** Stops the senders and waits until the node has archived everything they sent. */
    void stopAndDrain() throws Exception {
        running = false;
        for (Thread thread : threads) {
            thread.join(Duration.ofMinutes(5).toMillis());
        }
        threads.clear();
        if (failure.get() != null) {
            throw new IllegalStateException("a sender failed: " + failure.get().getMessage(), failure.get());
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (archived() < sent.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the archive did not catch up within 10 minutes (" + archived() + " of " + sent.get() + ")");
            }
            Thread.sleep(10);
        }
    }

    /** Throws if a sender has failed (checked while a phase runs). */
    void check() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("a sender failed: " + e.getMessage(), e);
        }
    }
}
