package io.archiver.lab.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Where the purge's wall time goes, from its own backend: every 100 ms, what {@code pg_stat_activity}
 * says the backends of the purge's pool are doing (which step of the purge, and whether on CPU or
 * waiting, for what); the purge's backend is the one holding its advisory lock. Idle means between statements: resting ({@code retention.batchPause}) or in the
 * JVM. A sampling profile, so steps shorter than the period show up only in proportion.
 */
final class PurgeProfile {

    private static final long PERIOD_MILLIS = 100;

    private final DataSource dataSource;
    private final String applicationName;
    private final Map<String, Integer> samples = new TreeMap<>();
    private int total;
    private volatile boolean running = true;
    private Thread thread;

    PurgeProfile(DataSource dataSource, String applicationName) {
        this.dataSource = dataSource;
        this.applicationName = applicationName;
    }

    void start() {
        thread = new Thread(this::sample, "bench-purge-profile");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT state, wait_event_type, wait_event, left(query, 80) FROM pg_stat_activity "
                     + "WHERE application_name = ? AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)")) {
            s.setString(1, applicationName);
            long next = System.nanoTime();
            while (running) {
                next += PERIOD_MILLIS * 1_000_000;
                try (ResultSet rs = s.executeQuery()) {
                    boolean any = false;
                    while (rs.next()) {
                        String key = classify(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
                        if (key != null) {
                            synchronized (this) {
                                samples.merge(key, 1, Integer::sum);
                            }
                            any = true;
                        }
                    }
                    if (any) {
                        synchronized (this) {
                            total++;
                        }
                    }
                }
                long sleep = (next - System.nanoTime()) / 1_000_000;
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
            }
        } catch (SQLException e) {
            PurgeBenchCommand.log("purge profile stopped: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The step and what the backend is doing in it. */
    private static String classify(String state, String waitType, String waitEvent, String query) {
        if (state == null) {
            return null;
        }
        if (state.equals("idle")) {
            return "idle (resting, or in the JVM)";
        }
        String step = step(query == null ? "" : query);
        String doing = state.startsWith("idle in transaction") ? "in transaction, between statements"
                : waitType == null ? "CPU" : waitType + ":" + waitEvent;
        return step + " / " + doing;
    }

    private static String step(String q) {
        if (q.startsWith("SELECT (m.sent_at")) {
            return "survey";
        }
        if (q.contains(" RENAME TO ")) {
            return "rename";
        }
        if (q.contains(" DETACH PARTITION ")) {
            return "detach";
        }
        if (q.startsWith("SELECT count(*) FROM archive.") && q.contains(" CROSS JOIN ")) {
            return "count keepers";
        }
        if (q.startsWith("SELECT count(*) FROM archive.")) {
            return "count day";
        }
        if (q.startsWith("SELECT pg_relation_size")) {
            return "size";
        }
        if (q.startsWith("DELETE FROM archive.message_ids")) {
            return "unlink ids";
        }
        if (q.startsWith("DROP TABLE")) {
            return "drop";
        }
        if (q.startsWith("SET LOCAL") || q.equals("COMMIT") || q.equals("BEGIN")) {
            return "transaction";
        }
        return "other: " + q.replaceAll("\\s+", " ").substring(0, Math.min(30, q.length()));
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join();
    }

    /** Share of the samples (in which the purge had a backend) per step and activity, largest first. */
    synchronized Map<String, Double> shares() {
        Map<String, Double> shares = new LinkedHashMap<>();
        samples.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> shares.put(e.getKey(), Math.round(1000.0 * e.getValue() / Math.max(1, total)) / 1000.0));
        return shares;
    }

    synchronized int samples() {
        return total;
    }

    /** The largest shares, one line. */
    String summary(int top) {
        return shares().entrySet().stream().limit(top)
                .map(e -> String.format("%s %.0f%%", e.getKey(), 100 * e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
