package io.archiver.app.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Plain JDBC reads for assertions: what an auditor would see in archive.messages. */
public final class Db {

    private final String url;

    public Db(String url) {
        this.url = url;
    }

    public long count(String sql, Object... parameters) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Rows, and distinct ids, of a run: equal when nothing is doubled. */
    public long rowsWithPrefix(String prefix) throws SQLException {
        return count("SELECT count(*) FROM archive.messages WHERE record_id LIKE ?", prefix + "%");
    }
}
