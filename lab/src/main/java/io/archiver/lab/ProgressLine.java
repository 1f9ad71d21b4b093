package io.archiver.lab;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The lab's live one-line status, through {@link LabConsole}: redrawn in place every second on a terminal
 * (where messages and warnings are printed above it, never into it), a plain line every ten seconds
 * otherwise (logs, CI).
 */
final class ProgressLine implements AutoCloseable {

    private final LabConsole console;
    private final LabCluster lab;
    private final TrafficGenerator generator;
    private final boolean terminal;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lab-progress");
        t.setDaemon(true);
        return t;
    });
    private final long started = System.nanoTime();
    private long lastArchived;

    ProgressLine(LabConsole console, LabCluster lab, TrafficGenerator generator) {
        this.console = console;
        this.lab = lab;
        this.generator = generator;
        this.terminal = console.terminal();
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
            console.status(line);
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
        try {
            // a status being printed finishes before the line is ended
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        console.endStatus();
    }
}
