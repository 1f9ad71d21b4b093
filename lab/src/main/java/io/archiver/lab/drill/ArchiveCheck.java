package io.archiver.lab.drill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Compares the ids a drill's load got accepted with the rows archive.messages holds for its run prefix.
 * The sent_at bound lets PostgreSQL skip every day partition but the drill's own.
 */
final class ArchiveCheck {

    /** What the archive holds of one run, against what was accepted. */
    record Comparison(long archived, List<String> lost, List<String> doubled, long archivedNotAccepted, long rows) {
        boolean complete() {
            return lost.isEmpty();
        }
    }

    private static final Duration CLOCK_SLACK = Duration.ofHours(1);

    private final DataSource dataSource;
    private final String likePrefix;
    private final Timestamp sentFrom;

    ArchiveCheck(DataSource dataSource, String runPrefix, Instant drillStart) {
        this.dataSource = dataSource;
        this.likePrefix = runPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        this.sentFrom = Timestamp.from(drillStart.minus(CLOCK_SLACK));
    }

    /** Rows of the run (cheap: polled while the archive drains). */
    long rows() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM archive.messages WHERE record_id LIKE ? AND sent_at >= ?")) {
            s.setString(1, likePrefix);
            s.setTimestamp(2, sentFrom);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    Comparison compare(Collection<String> accepted) throws SQLException {
        Map<String, Integer> copies = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT record_id, count(*) FROM archive.messages "
                     + "WHERE record_id LIKE ? AND sent_at >= ? GROUP BY record_id")) {
            s.setString(1, likePrefix);
            s.setTimestamp(2, sentFrom);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    copies.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        Set<String> acceptedIds = Set.copyOf(accepted);
        List<String> lost = new ArrayList<>();
        for (String id : acceptedIds) {
            if (!copies.containsKey(id)) {
                lost.add(id);
            }
        }
        List<String> doubled = copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
        long archived = acceptedIds.size() - lost.size();
        long notAccepted = copies.keySet().stream().filter(id -> !acceptedIds.contains(id)).count();
        long rows = copies.values().stream().mapToLong(Integer::longValue).sum();
        lost.sort(null);
        return new Comparison(archived, lost, doubled, notAccepted, rows);
    }
}
