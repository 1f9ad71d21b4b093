package io.archiver.cluster.failover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads and writes {@code archive.failovers}. */
public final class FailoverLog {

    /** A write outage this long before a promotion still counts as that failover's outage. */
    static final Duration OUTAGE_SLACK = Duration.ofSeconds(60);
    /**
     * A writer can commit on the new primary a moment before the watcher takes the time of the promotion
     * ({@code pg_promote} returns after the server already takes writes): such a resumption still belongs
     * to that failover, and is stamped as the promotion time.
     */
    static final Duration CLOCK_SLACK = Duration.ofSeconds(10);

    private static final String COLUMNS = "term, mode, old_primary, new_primary, detected_at, promoted_at, "
            + "writes_resumed_at, resumed_by, node, misses";

    private FailoverLog() {
    }

    /**
     * Records a failover on the new primary, in the next term. Returns the term.
     */
    public static long record(Connection newPrimary, String mode, String oldPrimary, String newPrimaryName,
                              Instant detectedAt, Instant promotedAt, String node, int misses, String detailsJson)
            throws SQLException {
        try (PreparedStatement insert = newPrimary.prepareStatement("INSERT INTO archive.failovers "
                + "(term, mode, old_primary, new_primary, detected_at, promoted_at, node, misses, details) "
                + "SELECT coalesce(max(term), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?::jsonb FROM archive.failovers RETURNING term")) {
            insert.setString(1, mode);
            insert.setString(2, oldPrimary);
            insert.setString(3, newPrimaryName);
            insert.setTimestamp(4, Timestamp.from(detectedAt));
            insert.setTimestamp(5, Timestamp.from(promotedAt));
            insert.setString(6, node);
            insert.setInt(7, misses);
            insert.setString(8, detailsJson == null ? "{}" : detailsJson);
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Called by an archive writer whose first batch went in after an outage: stamps the failover that
     * happened during that outage (promoted between its start, less some slack, and now) with the time
     * writes resumed, if no writer did yet. Returns the rows stamped (0: no failover in that outage yet).
     */
    public static int markWritesResumed(DataSource dataSource, Instant outageStart, Instant resumedAt, String node)
            throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE archive.failovers SET writes_resumed_at = "
                     + "greatest(?, promoted_at), resumed_by = ? WHERE writes_resumed_at IS NULL AND promoted_at BETWEEN ? AND ?")) {
            update.setTimestamp(1, Timestamp.from(resumedAt));
            update.setString(2, node);
            update.setTimestamp(3, Timestamp.from(outageStart.minus(OUTAGE_SLACK)));
            update.setTimestamp(4, Timestamp.from(resumedAt.plus(CLOCK_SLACK)));
            return update.executeUpdate();
        }
    }

    public static Optional<Failover> last(Connection connection) throws SQLException {
        List<Failover> recent = recent(connection, 1);
        return recent.isEmpty() ? Optional.empty() : Optional.of(recent.get(0));
    }

    /** The newest {@code limit} failovers, newest first. */
    public static List<Failover> recent(Connection connection, int limit) throws SQLException {
        List<Failover> failovers = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS
                + " FROM archive.failovers ORDER BY term DESC LIMIT ?")) {
            select.setInt(1, limit);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    failovers.add(read(rs));
                }
            }
        }
        return failovers;
    }

    /** The failover of {@code term}, if recorded. */
    public static Optional<Failover> byTerm(Connection connection, long term) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM archive.failovers WHERE term = ?")) {
            select.setLong(1, term);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static Failover read(ResultSet rs) throws SQLException {
        int misses = rs.getInt(10);
        Integer missCount = rs.wasNull() ? null : misses;
        return new Failover(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs.getTimestamp(5)),
                instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)), rs.getString(8), rs.getString(9), missCount);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
