package io.archiver.lab;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The lab's live one-line status: rewritten in place every second on a terminal, a plain line every
 * ten seconds otherwise (logs, CI).
 */
final class ProgressLine implements AutoCloseable {

    private final PrintStream out;
    private final LabCluster lab;
    private final TrafficGenerator generator;
    private final boolean terminal = System.console() != null;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lab-progress");
        t.setDaemon(true);
        return t;
    });
    private final long started = System.nanoTime();
    private long lastArchived;

    ProgressLine(PrintStream out, LabCluster lab, TrafficGenerator generator) {
        this.out = out;
        this.lab = lab;
        this.generator = generator;
    }

    void start() {
        long period = terminal ? 1 : 10;
        timer.scheduleAtFixedRate(this::print, period, period, TimeUnit.SECONDS);
    }

    private void print() {
        try {
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            long archived = archivedByNode();
            String line = String.format("[lab %02d:%02d:%02d] sent %d  accepted %d  archived %d  in flight %d  (%d/s)",
                    seconds / 3600, seconds / 60 % 60, seconds % 60,
                    generator == null ? 0 : generator.sent(), generator == null ? 0 : generator.accepted(),
                    archived, lab.inFlightMessages(), (archived - lastArchived) / (terminal ? 1 : 10));
            lastArchived = archived;
            if (terminal) {
                out.print("\r" + line + "   ");
            } else {
                out.println(line);
            }
            out.flush();
        } catch (RuntimeException e) {
            // a status line must never stop the lab
        }
    }

    private long archivedByNode() {
        return lab.archivedByNode();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (terminal) {
            out.println();
        }
    }
}
