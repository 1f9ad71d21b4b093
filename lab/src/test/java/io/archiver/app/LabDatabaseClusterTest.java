package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.archiver.lab.LabDatabaseCluster;
import io.archiver.lab.LabDatabaseCluster.Server;
import io.archiver.lab.LabPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's two PostgreSQL servers: the standby really streams; after the primary is killed and the standby
 * promoted (by hand here, by the node's failover job in the lab), the dead one is rebuilt as a standby of the
 * new primary on its old port; the multi-host URL follows the primary; a restart keeps the roles.
 */
class LabDatabaseClusterTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private LabDatabaseCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void standbyStreamsIsRebuiltAfterAFailoverAndARestartKeepsTheRoles() throws Exception {
        cluster = LabDatabaseCluster.start(dir);
        List<List<Server>> changes = new CopyOnWriteArrayList<>();
        cluster.onChange(changes::add);
        assertThat(roles(cluster.servers())).containsExactly("pg1=primary", "pg2=standby");
        int port1 = cluster.port("pg1");
        int port2 = cluster.port("pg2");
        assertThat(port1).isNotEqualTo(port2);
        assertThat(cluster.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + port1 + ",127.0.0.1:" + port2
                + "/archive?targetServerType=primary&hostRecheckSeconds=1&connectTimeout=2");
        assertThat(replicationState(port1, "pg2")).isEqualTo("streaming");
        assertThat(inRecovery(port2)).isTrue();

        // a row committed on the primary shows up on the standby
        execute(port1, "CREATE TABLE lab_test (id int PRIMARY KEY)");
        execute(port1, "INSERT INTO lab_test VALUES (1)");
        await().atMost(TIMEOUT).until(() -> count(port2, "SELECT count(*) FROM lab_test WHERE id = 1") == 1);

        // the primary dies; nothing is rebuilt while the survivor is still a standby
        long oldPid = cluster.servers().get(0).pid();
        cluster.kill("pg1");
        assertThat(cluster.servers().get(0)).extracting(Server::role, Server::pid).containsExactly(LabDatabaseCluster.DOWN, -1L);
        assertThat(cluster.rebuildIfNeeded()).isFalse();

        // the node's failover job would promote it; here by hand
        assertThat(count(port2, "SELECT CASE WHEN pg_promote(true, 30) THEN 1 ELSE 0 END")).isEqualTo(1);

        // the watcher rebuilds pg1 as a standby of pg2 on its old port, streaming
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> roles(cluster.servers()).equals(List.of("pg1=standby", "pg2=primary")));
        Server rebuilt = cluster.servers().get(0);
        assertThat(rebuilt.port()).isEqualTo(port1);
        assertThat(rebuilt.pid()).isPositive().isNotEqualTo(oldPid);
        await().atMost(TIMEOUT).until(() -> "streaming".equals(replicationState(port2, "pg1")));
        assertThat(count(port1, "SELECT count(*) FROM lab_test WHERE id = 1")).isEqualTo(1);
        execute(port2, "INSERT INTO lab_test VALUES (2)");
        await().atMost(TIMEOUT).until(() -> count(port1, "SELECT count(*) FROM lab_test WHERE id = 2") == 1);
        await().atMost(TIMEOUT).until(() -> changes.stream().anyMatch(c -> roles(c).equals(List.of("pg1=standby", "pg2=primary"))));

        // the multi-host URL reaches the new primary
        try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), LabPostgres.USER, "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery(), inet_server_port()")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isFalse();
            assertThat(rs.getInt(2)).isEqualTo(port2);
        }

        // a restart on the same directory keeps the roles and the ports
        cluster.close();
        cluster = null;
        cluster = LabDatabaseCluster.start(dir);
        assertThat(roles(cluster.servers())).containsExactly("pg1=standby", "pg2=primary");
        assertThat(cluster.port("pg1")).isEqualTo(port1);
        assertThat(cluster.port("pg2")).isEqualTo(port2);
        assertThat(replicationState(port2, "pg1")).isEqualTo("streaming");
        assertThat(count(port1, "SELECT count(*) FROM lab_test")).isEqualTo(2);
    }

    @Test
    void aStandbyKilledUnderALivePrimaryIsRebuiltAndAnOldSingleServerLabBecomesPg1() throws Exception {
        // an older lab kept its one server in postgres/primary
        try (LabPostgres legacy = LabPostgres.start(dir.resolve("postgres/primary"))) {
            try (Connection c = DriverManager.getConnection(legacy.jdbcUrl(), LabPostgres.USER, "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (id int)");
                s.execute("INSERT INTO kept VALUES (7)");
            }
        }
        cluster = LabDatabaseCluster.start(dir);
        assertThat(Files.exists(dir.resolve("postgres/primary"))).isFalse();
        assertThat(roles(cluster.servers())).containsExactly("pg1=primary", "pg2=standby");
        int port1 = cluster.port("pg1");
        int port2 = cluster.port("pg2");
        assertThat(count(port2, "SELECT count(*) FROM kept WHERE id = 7")).isEqualTo(1);
        // a second lab on the same directory would wipe this one's servers
        assertThatThrownBy(() -> LabDatabaseCluster.start(dir)).hasMessageContaining("another lab is using");

        long oldPid = cluster.servers().get(1).pid();
        cluster.kill("pg2");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<Server> now = cluster.servers();
            return now.get(1).pid() != oldPid && roles(now).equals(List.of("pg1=primary", "pg2=standby"));
        });
        assertThat(cluster.port("pg2")).isEqualTo(port2);
        await().atMost(TIMEOUT).until(() -> "streaming".equals(replicationState(port1, "pg2")));
        execute(port1, "INSERT INTO kept VALUES (8)");
        await().atMost(TIMEOUT).until(() -> count(port2, "SELECT count(*) FROM kept") == 2);
    }

    private static List<String> roles(List<Server> servers) {
        return servers.stream().map(s -> s.name() + "=" + s.role()).toList();
    }

    private static Connection connect(int port) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + LabPostgres.DATABASE
                + "?connectTimeout=2", LabPostgres.USER, "");
    }

    private static void execute(int port, String sql) throws SQLException {
        try (Connection c = connect(port); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(int port, String sql) throws SQLException {
        try (Connection c = connect(port); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean inRecovery(int port) throws SQLException {
        return count(port, "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END") == 1;
    }

    private static String replicationState(int primaryPort, String standby) throws SQLException {
        try (Connection c = connect(primaryPort); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state FROM pg_stat_replication WHERE application_name = '" + standby + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
