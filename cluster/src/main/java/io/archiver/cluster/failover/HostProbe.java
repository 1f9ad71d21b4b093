package io.archiver.cluster.failover;

import io.archiver.store.DatabaseHosts;
import io.archiver.store.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Looks at one server of the database cluster over a connection of its own (not the pool, which only
 * reaches the primary): is it up, primary or standby, fenced, how far behind. Each call opens and
 * closes one connection with short time-outs, so a dead server costs at most one time-out.
 */
public final class HostProbe {

    private final DatabaseHosts hosts;
    private final String user;
    private final String password;
    private final int timeoutSeconds;

    public HostProbe(DatabaseHosts hosts, String user, String password, int timeoutSeconds) {
        this.hosts = hosts;
        this.user = user;
        this.password = password;
        this.timeoutSeconds = Math.max(1, timeoutSeconds);
    }

    /** For every server of the database's {@code db.url}, with its {@code db.user} and {@code db.password}. */
    public static HostProbe of(DatabaseSettings database, int timeoutSeconds) {
        return new HostProbe(DatabaseHosts.parse(database.url()), database.user().orElse(null), database.password().orElse(null),
                timeoutSeconds);
    }

    public DatabaseHosts hosts() {
        return hosts;
    }

    /** Every server of the URL, in its order. */
    public List<HostState> probeAll() {
        List<HostState> states = new ArrayList<>();
        for (DatabaseHosts.Host host : hosts.hosts()) {
            states.add(probe(host));
        }
        return states;
    }

    public HostState probe(DatabaseHosts.Host host) {
        try (Connection connection = connect(host); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(timeoutSeconds);
            boolean inRecovery;
            try (ResultSet rs = statement.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                inRecovery = rs.getBoolean(1);
            }
            long term = term(statement);
            return inRecovery ? standby(host, statement, term) : primary(host, statement, term);
        } catch (SQLException e) {
            return HostState.down(host, e.getMessage());
        }
    }

    /** A connection to {@code host} alone (autocommit), for the watcher's promote and fence statements. */
    public Connection connect(DatabaseHosts.Host host) throws SQLException {
        Properties properties = new Properties();
        if (user != null && !user.isEmpty()) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        return DriverManager.getConnection(hosts.singleHostUrl(host, timeoutSeconds), properties);
    }

    private static HostState primary(DatabaseHosts.Host host, Statement statement, long term) throws SQLException {
        boolean readOnly;
        String synchronousNames;
        try (ResultSet rs = statement.executeQuery("SELECT current_setting('default_transaction_read_only'), "
                + "current_setting('synchronous_standby_names')")) {
            rs.next();
            readOnly = "on".equals(rs.getString(1));
            synchronousNames = rs.getString(2);
        }
        List<HostState.Replica> replicas = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery("SELECT application_name, client_addr || ':' || client_port, state, sync_state, "
                + "pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint FROM pg_stat_replication ORDER BY application_name")) {
            while (rs.next()) {
                long lag = rs.getLong(5);
                replicas.add(new HostState.Replica(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.wasNull() ? null : lag));
            }
        }
        return new HostState(host, HostState.Role.PRIMARY, readOnly, term, synchronousNames, replicas, false, null, null, null, null);
    }

    private static HostState standby(DatabaseHosts.Host host, Statement statement, long term) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'), "
                + "pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint, "
                + "extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8, "
                + "pg_wal_lsn_diff(coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), '0/0')::bigint")) {
            rs.next();
            boolean receiving = rs.getBoolean(1);
            long lag = rs.getLong(2);
            Long lagBytes = rs.wasNull() ? null : Math.max(0, lag);
            double delay = rs.getDouble(3);
            Double replayDelay = rs.wasNull() ? null : Math.max(0, delay);
            long received = rs.getLong(4);
            Long receivedLsn = rs.wasNull() ? null : received;
            return new HostState(host, HostState.Role.STANDBY, false, term, null, List.of(), receiving, receivedLsn, lagBytes,
                    replayDelay, null);
        }
    }

    /** The highest failover term the server holds; 0 before the schema exists. */
    private static long term(Statement statement) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SELECT to_regclass('archive.failovers') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return 0;
            }
        }
        try (ResultSet rs = statement.executeQuery("SELECT coalesce(max(term), 0) FROM archive.failovers")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
