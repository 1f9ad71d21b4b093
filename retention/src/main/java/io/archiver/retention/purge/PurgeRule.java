package io.archiver.retention.purge;

import io.archiver.retention.RetentionOverrides;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQL conditions of one purge, over a row {@code m} of the archive: past its retention, under a
 * legal hold, not exported yet. Numbers and times are written into the SQL as literals made from
 * typed values (so the planner prunes day partitions by them); the override scopes, which are text,
 * travel in a one-row temporary table {@code pg_temp.purge_rule} ({@code r}) of the purge's own
 * connection.
 */
final class PurgeRule {

    static final String RULE_TABLE = "pg_temp.purge_rule";

    private final Instant now;
    private final int baseHours;
    private final boolean floorAtBase;
    private final boolean exportedOnly;
    private final RetentionOverrides overrides;

    PurgeRule(Instant now, PurgeRequest request, RetentionOverrides overrides) {
        this.now = now;
        this.baseHours = (int) request.olderThan().toHours();
        this.floorAtBase = !request.scheduled();
        this.exportedOnly = request.exportedOnly();
        this.overrides = overrides;
    }

    /** Creates the rule table on the purge's connection (auto-commit). */
    void install(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + RULE_TABLE);
            s.execute("CREATE TEMP TABLE purge_rule (scopes text[] NOT NULL, hours integer[] NOT NULL)");
        }
        List<String> scopes = new ArrayList<>();
        List<Integer> hours = new ArrayList<>();
        for (Map.Entry<String, Integer> e : overrides.daysByScope().entrySet()) {
            scopes.add(e.getKey());
            hours.add(e.getValue() * 24);
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + RULE_TABLE + " VALUES (?, ?)")) {
            Array scopeArray = connection.createArrayOf("text", scopes.toArray());
            Array hourArray = connection.createArrayOf("integer", hours.toArray());
            insert.setArray(1, scopeArray);
            insert.setArray(2, hourArray);
            insert.executeUpdate();
        }
    }

    static void uninstall(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + RULE_TABLE);
        }
    }

    /** The youngest a record can be and still be past its retention: rows after this are never candidates. */
    Instant candidateCutoff() {
        int hours = baseHours;
        if (!floorAtBase) {
            for (int days : overrides.daysByScope().values()) {
                hours = Math.min(hours, days * 24);
            }
        }
        return now.minusSeconds(hours * 3600L);
    }

    /** {@code m} is past its retention. */
    String expired() {
        if (overrides.isEmpty()) {
            return "m.sent_at < " + literal(now.minusSeconds(baseHours * 3600L));
        }
        String perRecord = "archive.retention_hours(array_prepend(m.sender, m.recipients), " + baseHours + ", r.scopes, r.hours)";
        String hours = floorAtBase ? "greatest(" + baseHours + ", " + perRecord + ")" : perRecord;
        return "m.sent_at < " + literal(now) + " - make_interval(hours => " + hours + ")";
    }

    /** {@code m} is under an active legal hold (by conversation or by any participant). */
    static String held(boolean anyHold) {
        if (!anyHold) {
            return "false";
        }
        return "(EXISTS (SELECT 1 FROM archive.holds h WHERE h.released_at IS NULL AND h.conversation_id = m.conversation_id) "
                + "OR EXISTS (SELECT 1 FROM archive.holds h WHERE h.released_at IS NULL AND h.participant = ANY (array_prepend(m.sender, m.recipients))))";
    }

    /** {@code m} must stay because exported-only is asked and it was never exported. */
    String notExported() {
        return exportedOnly ? "m.exported_at IS NULL" : "false";
    }

    /** {@code m} goes. */
    String eligible(boolean anyHold) {
        return "(" + expired() + ") AND NOT " + held(anyHold) + " AND NOT (" + notExported() + ")";
    }

    /** The FROM clause over a table (the parent or one day's partition) as {@code m}, with the rule as {@code r}. */
    static String from(String table) {
        return table + " m CROSS JOIN " + RULE_TABLE + " r";
    }

    static String literal(Instant instant) {
        return "'" + instant + "'::timestamptz";
    }

    static boolean anyActiveHold(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             var rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM archive.holds WHERE released_at IS NULL)")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
