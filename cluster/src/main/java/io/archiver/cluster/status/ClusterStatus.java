package io.archiver.cluster.status;

import io.archiver.cluster.failover.FailoverLog;
import io.archiver.cluster.failover.HostProbe;
import io.archiver.cluster.failover.HostState;
import io.archiver.cluster.failover.FailoverWatchJob;
import io.archiver.cluster.node.NodeHeartbeat;
import io.archiver.store.ArchiveTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The state of the whole archive on one page, for {@code GET /v1/cluster} and {@code ./archiver status}:
 * each database server with its role and lag (probed one by one), the archive nodes (from their
 * heartbeats in {@code archive.nodes}) with their queue depths, the dead letters waiting, the last
 * failovers, the scheduled jobs (from Quartz's tables, with the node running each) and the conflicts
 * (records that came again under an archived id with other content: {@code {"count", "latest"}}, listed by
 * {@code GET /v1/conflicts} and {@code ./archiver conflicts list}). What cannot be read because the primary
 * is down is reported as such, never as an error of the whole page.
 *
 * <p>A node not seen for {@link #NODE_LISTED_FOR} is no longer listed (its row stays until
 * {@link #forget}); the database watch, whose run never ends, is shown as {@value #WATCHING} while it
 * runs on a node that checks in, rather than as its trigger's {@code BLOCKED}.
 */
public final class ClusterStatus {

    private static final int FAILOVERS_SHOWN = 5;
    /** How long a node that stopped beating stays listed (as down): long enough to notice, not forever. */
    public static final Duration NODE_LISTED_FOR = Duration.ofHours(24);
    /** The state shown for the database watch while a live node runs it. */
    public static final String WATCHING = "running (watching)";

    private final DataSource dataSource;
    private final HostProbe probe;

    public ClusterStatus(DataSource dataSource, HostProbe probe) {
        this.dataSource = dataSource;
        this.probe = probe;
    }

    public Map<String, Object> read() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("at", Instant.now().toString());
        List<HostState> servers = probe.probeAll();
        Map<String, Object> database = new LinkedHashMap<>();
        database.put("primary", servers.stream().filter(HostState::isWritablePrimary).map(s -> s.host().toString())
                .findFirst().orElse(null));
        database.put("servers", servers.stream().map(HostState::toMap).toList());
        status.put("database", database);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(5);
            List<Map<String, Object>> failovers = FailoverLog.recent(connection, FAILOVERS_SHOWN).stream()
                    .map(f -> (Map<String, Object>) f.toMap()).toList();
            status.put("lastFailover", failovers.isEmpty() ? null : failovers.get(0));
            status.put("failovers", failovers);
            status.put("archiveNodes", nodes(statement));
            status.put("queues", queues(statement, (List<?>) status.get("archiveNodes")));
            status.put("scheduledJobs", jobs(statement));
            status.put("conflicts", conflicts(statement));
        } catch (SQLException | RuntimeException e) {
            status.put("unavailable", "the archive database does not answer: " + e.getMessage());
        }
        return status;
    }

    private static List<Map<String, Object>> nodes(Statement statement) throws SQLException {
        List<Map<String, Object>> nodes = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery("SELECT name, http_url, broker_url, pid, started_at, last_seen, queue_depth, "
                + "failover_mode, last_seen > now() - interval '" + NodeHeartbeat.STALE_AFTER.toSeconds() + " seconds' "
                + "FROM archive.nodes WHERE last_seen > now() - interval '" + NODE_LISTED_FOR.toSeconds() + " seconds' "
                + "ORDER BY name")) {
            while (rs.next()) {
                Map<String, Object> node = new LinkedHashMap<>();
                node.put("name", rs.getString(1));
                node.put("alive", rs.getBoolean(9));
                node.put("http", rs.getString(2));
                node.put("broker", rs.getString(3));
                node.put("pid", rs.getLong(4));
                node.put("startedAt", text(rs.getTimestamp(5)));
                node.put("lastSeen", text(rs.getTimestamp(6)));
                node.put("queueDepth", rs.getLong(7));
                node.put("failoverMode", rs.getString(8));
                nodes.add(node);
            }
        }
        return nodes;
    }

    private static Map<String, Object> queues(Statement statement, List<?> nodes) throws SQLException {
        Map<String, Object> queues = new LinkedHashMap<>();
        long waiting = 0;
        for (Object node : nodes) {
            Map<?, ?> map = (Map<?, ?>) node;
            if (Boolean.TRUE.equals(map.get("alive"))) {
                waiting += (Long) map.get("queueDepth");
            }
        }
        queues.put("archiveBrokers", waiting);
        try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM archive.dead_letters WHERE replayed_at IS NULL")) {
            rs.next();
            queues.put("deadLetters", rs.getLong(1));
        }
        return queues;
    }

    private static List<Map<String, Object>> jobs(Statement statement) throws SQLException {
        List<Map<String, Object>> jobs = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery("SELECT t.job_group, t.job_name, t.trigger_state, t.next_fire_time, "
                + "t.prev_fire_time, c.cron_expression, s.repeat_interval, "
                + "(SELECT string_agg(f.instance_name, ',') FROM archive.qrtz_fired_triggers f WHERE f.sched_name = t.sched_name "
                + " AND f.job_name = t.job_name AND f.job_group = t.job_group AND f.state = 'EXECUTING'), "
                // Executing on an instance that checks in (Quartz's own liveness: check-in interval + 7.5 s).
                + "EXISTS (SELECT 1 FROM archive.qrtz_fired_triggers f JOIN archive.qrtz_scheduler_state l "
                + " ON l.sched_name = f.sched_name AND l.instance_name = f.instance_name WHERE f.sched_name = t.sched_name "
                + " AND f.job_name = t.job_name AND f.job_group = t.job_group AND f.state = 'EXECUTING' "
                + " AND l.last_checkin_time + l.checkin_interval + 7500 > extract(epoch FROM clock_timestamp()) * 1000) "
                + "FROM archive.qrtz_triggers t "
                + "LEFT JOIN archive.qrtz_cron_triggers c USING (sched_name, trigger_name, trigger_group) "
                + "LEFT JOIN archive.qrtz_simple_triggers s USING (sched_name, trigger_name, trigger_group) "
                + "WHERE t.trigger_group <> 'RECOVERING_JOBS' ORDER BY t.job_group, t.job_name")) {
            while (rs.next()) {
                Map<String, Object> job = new LinkedHashMap<>();
                job.put("name", rs.getString(1) + "." + rs.getString(2));
                job.put("state", state(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(9)));
                job.put("triggerState", rs.getString(3));
                job.put("schedule", rs.getString(6) != null ? rs.getString(6) : "every " + rs.getLong(7) / 1000 + " s");
                job.put("nextFire", millis(rs.getLong(4)));
                job.put("previousFire", millis(rs.getLong(5)));
                job.put("runningOn", rs.getString(8));
                jobs.add(job);
            }
        }
        return jobs;
    }

    /** Quartz's trigger state, but {@value #WATCHING} for the database watch running on a live node. */
    static String state(String group, String name, String triggerState, boolean executingOnLiveNode) {
        boolean watch = FailoverWatchJob.KEY.getGroup().equals(group) && FailoverWatchJob.KEY.getName().equals(name);
        return watch && executingOnLiveNode ? WATCHING : triggerState;
    }

    private static Map<String, Object> conflicts(Statement statement) throws SQLException {
        Map<String, Object> conflicts = new LinkedHashMap<>();
        try (ResultSet rs = statement.executeQuery("SELECT count(*), max(detected_at) FROM " + ArchiveTable.CONFLICTS)) {
            rs.next();
            conflicts.put("count", rs.getLong(1));
            conflicts.put("latest", text(rs.getTimestamp(2)));
        }
        return conflicts;
    }

    /** What {@link #forget} did. */
    public enum Forgotten { FORGOTTEN, UNKNOWN, ALIVE }

    /**
     * Removes a node's row from {@code archive.nodes} (a node that is gone for good), unless it is alive
     * (seen within {@link NodeHeartbeat#STALE_AFTER}: its next beat would bring it back).
     */
    public static Forgotten forget(Connection connection, String name) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM archive.nodes WHERE name = ? AND last_seen <= now() - "
                + "interval '" + NodeHeartbeat.STALE_AFTER.toSeconds() + " seconds'")) {
            delete.setString(1, name);
            if (delete.executeUpdate() > 0) {
                return Forgotten.FORGOTTEN;
            }
        }
        try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM archive.nodes WHERE name = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery()) {
                return rs.next() ? Forgotten.ALIVE : Forgotten.UNKNOWN;
            }
        }
    }

    private static String millis(long epochMillis) {
        return epochMillis <= 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
    }

    private static String text(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant().toString();
    }
}
