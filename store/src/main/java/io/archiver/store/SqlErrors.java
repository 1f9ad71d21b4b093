package io.archiver.store;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Sorts database errors into the three kinds the writer treats differently: the data's fault (isolate
 * the record and dead-letter it), the database's passing trouble (keep the batch and retry), and the
 * rest (a broken schema or permission: report it).
 */
final class SqlErrors {

    static final String UNIQUE_VIOLATION = "23505";
    private static final int MAX_REASON_CHARS = 1000;

    private SqlErrors() {
    }

    /** "no partition of relation ... found for row": the day's partition is not there (yet, or any more). */
    static boolean isMissingPartition(SQLException e) {
        return "23514".equals(e.getSQLState()) && e.getMessage() != null && e.getMessage().contains("no partition of relation");
    }

    /** "cannot execute ... in a read-only transaction": the server is a standby or a fenced old primary. */
    static boolean isReadOnly(Throwable t) {
        for (Throwable e = t; e != null && e.getCause() != e; e = e.getCause()) {
            if (e instanceof SQLException sql && "25006".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    static boolean isUniqueViolation(SQLException e) {
        return UNIQUE_VIOLATION.equals(e.getSQLState());
    }

    /**
     * Data exceptions (22), integrity violations (23: check, not null, foreign key, unique on another
     * key), program limits (54: index row too large and the like), and character set trouble (22021
     * is in 22 already). A batch failing with one of these is split to find the records at fault.
     */
    static boolean isDataError(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.length() != 5) {
            return false;
        }
        return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
    }

    /** Connection failures (08), shutdown / crash / cannot connect now (57P0x), retry (40001, 40P01), resources (53), lock / statement timeouts. */
    static boolean isTransient(Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause()) {
            if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
                return true;
            }
            if (e instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("53")
                        || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                        || state.equals("57014") || state.equals("55P03")
                        // read-only transaction: a standby, or a fenced old primary, answered; after a
                        // failover the pool's next connection reaches the new primary
                        || state.equals("25006")
                        || state.equals("40001") || state.equals("40P01"))) {
                    return true;
                }
            }
            if (e instanceof IOException && !(e.getCause() instanceof SQLException)) {
                return true;
            }
            if (e.getCause() == e) {
                break;
            }
        }
        return false;
    }

    /** True when the error left the connection unusable (then whatever it was, retrying later is right). */
    static boolean connectionLost(Connection connection) {
        try {
            return connection.isClosed() || !connection.isValid(2);
        } catch (SQLException e) {
            return true;
        }
    }

    /** A one-line reason for a dead letter: SQL state and server message, without the row detail (which can be 64 KiB). */
    static String reason(SQLException e) {
        StringBuilder reason = new StringBuilder("database refused the record: ");
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            ServerErrorMessage server = psql.getServerErrorMessage();
            reason.append(server.getMessage());
            if (server.getConstraint() != null && (server.getMessage() == null || !server.getMessage().contains(server.getConstraint()))) {
                reason.append(" (constraint ").append(server.getConstraint()).append(')');
            }
        } else {
            reason.append(e.getMessage());
        }
        reason.append(" [SQLState ").append(e.getSQLState()).append(']');
        return truncate(reason.toString());
    }

    static String truncate(String text) {
        return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS - 3) + "...";
    }
}
