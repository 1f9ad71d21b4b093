package io.archiver.compliance.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reads {@code archive.audit_log} oldest first, filtered by actor, action and time, keyset-paged by the
 * entry id (ids only grow, so a page never repeats or skips an entry, whatever is written meanwhile).
 */
public final class AuditReader {

    /** One page: the entries and the id to continue after (null when there is no more). */
    public record Page(List<Map<String, Object>> entries, Long lastId) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;

    public AuditReader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * @param actor  exact token name, or null
     * @param action exact action or a prefix ending in {@code .*} ({@code purge.*}), or null
     * @param from   inclusive, or null
     * @param to     exclusive, or null
     * @param after  the last id of the previous page, or null
     */
    public Page read(String actor, String action, Instant from, Instant to, Long after, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id, at, actor, action, parameters, result FROM archive.audit_log WHERE true");
        List<Object> values = new ArrayList<>();
        if (actor != null) {
            sql.append(" AND actor = ?");
            values.add(actor);
        }
        if (action != null) {
            if (action.endsWith(".*")) {
                sql.append(" AND (action = ? OR action LIKE ?)");
                String base = action.substring(0, action.length() - 2);
                values.add(base);
                values.add(base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%");
            } else {
                sql.append(" AND action = ?");
                values.add(action);
            }
        }
        if (from != null) {
            sql.append(" AND at >= ?");
            values.add(Timestamp.from(from));
        }
        if (to != null) {
            sql.append(" AND at < ?");
            values.add(Timestamp.from(to));
        }
        if (after != null) {
            sql.append(" AND id > ?");
            values.add(after);
        }
        sql.append(" ORDER BY id LIMIT ?");
        values.add(limit + 1);
        List<Map<String, Object>> entries = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < values.size(); i++) {
                select.setObject(i + 1, values.get(i));
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("id", rs.getLong(1));
                    entry.put("at", rs.getTimestamp(2).toInstant().toString());
                    entry.put("actor", rs.getString(3));
                    entry.put("action", rs.getString(4));
                    entry.put("parameters", json(rs.getString(5)));
                    entry.put("result", json(rs.getString(6)));
                    entries.add(entry);
                }
            }
        }
        if (entries.size() <= limit) {
            return new Page(entries, null);
        }
        entries.remove(entries.size() - 1);
        return new Page(entries, (Long) entries.get(entries.size() - 1).get("id"));
    }

    private static JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }
}
