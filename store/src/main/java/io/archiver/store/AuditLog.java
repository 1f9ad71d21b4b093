package io.archiver.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Writes {@code archive.audit_log}: who did what, with which parameters, and what came of it (contract
 * section 4: every admin and auditor call, every purge, export and hold). Parameters and result are
 * stored as JSON objects. Written in the caller's transaction where there is one, so an action and its
 * audit row commit or vanish together.
 */
public final class AuditLog {

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final String INSERT = "INSERT INTO archive.audit_log (actor, action, parameters, result) "
            + "VALUES (?, ?, ?::jsonb, ?::jsonb)";

    private final DataSource dataSource;

    public AuditLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** In a transaction of its own. */
    public void record(String actor, String action, Map<String, ?> parameters, Map<String, ?> result) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            record(connection, actor, action, parameters, result);
        }
    }

    /**
     * Audits a refused call ({@code {"status", "error"}}); a failure to do so is logged, and the caller
     * still gets its refusal.
     */
    public void recordRefusal(String actor, String action, Map<String, ?> parameters, int status, String error) {
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        result.put("status", status);
        result.put("error", error);
        try {
            record(actor, action, parameters, result);
        } catch (SQLException | RuntimeException failure) {
            org.slf4j.LoggerFactory.getLogger(AuditLog.class)
                    .warn("could not audit a refused {} by {}: {}", action, actor, failure.getMessage());
        }
    }

    /** At most 1000 characters of a refused input, for messages and the audit log (jsonb refuses NUL). */
    public static String excerpt(String value) {
        String cut = value.length() <= 1000 ? value : value.substring(0, 1000) + "...";
        return cut.replace('\u0000', '\uFFFD');
    }

    /** In the caller's transaction. */
    public static void record(Connection connection, String actor, String action, Map<String, ?> parameters,
                              Map<String, ?> result) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, actor);
            insert.setString(2, action);
            insert.setString(3, json(parameters));
            insert.setString(4, json(result));
            insert.executeUpdate();
        }
    }

    private static String json(Map<String, ?> value) {
        if (value == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit values must be plain JSON values: " + e.getMessage(), e);
        }
    }
}
