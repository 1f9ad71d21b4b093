package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.lab.ImTrafficModel;
import io.archiver.lab.LabPostgres;
import io.archiver.lab.PgBaseBackup;
import io.archiver.lab.TrafficGenerator;
import io.archiver.app.support.TestFiles;
import io.archiver.core.config.Config;
import io.archiver.lab.FreePorts;
import io.archiver.ingest.FrontendService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database failover of an archive node against a real primary and a real streaming standby (built
 * with pg_basebackup), with IM traffic flowing through a front-end the whole time: the primary killed
 * (managed mode promotes, nothing lost or doubled, the old primary fenced when it comes back), the
 * standby lost (commits go on), and external mode (no promotion; a promotion by someone else followed
 * and recorded).
 */
class ManagedFailoverTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private LabPostgres primary;
    private LabPostgres standby;
    private int primaryPort;
    private int standbyPort;
    private ArchiveNode node;
    private FrontendService frontend;
    private TrafficGenerator traffic;

    @BeforeEach
    void startDatabaseCluster() throws Exception {
        primaryPort = FreePorts.any();
        standbyPort = FreePorts.any();
        primary = LabPostgres.start(dir.resolve("pg1"), primaryPort);
        PgBaseBackup.standby(primaryPort, dir.resolve("pg2"), "pg2");
        standby = LabPostgres.startServer(dir.resolve("pg2"), standbyPort);
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (traffic != null) {
            traffic.close();
        }
        if (frontend != null) {
            frontend.close();
        }
        if (node != null) {
            node.close();
        }
        standby.close();
        primary.close();
    }

    @Test
    void managedModePromotesTheStandbyLosesNothingAndFencesTheOldPrimaryWhenItComesBack() throws Exception {
        start("managed");
        awaitSynchronousReplication();
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> archived("run-") > 500);

        primary.kill();

        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM archive.failovers") == 1);
        Map<String, Object> failover = row("SELECT term, mode, old_primary, new_primary, node, "
                + "extract(epoch FROM promoted_at - detected_at) AS takeover FROM archive.failovers");
        assertThat(failover).containsEntry("term", 1).containsEntry("mode", "managed")
                .containsEntry("old_primary", "127.0.0.1:" + primaryPort).containsEntry("new_primary", "127.0.0.1:" + standbyPort)
                .containsEntry("node", "node-1");
        assertThat(((Number) failover.get("takeover")).doubleValue()).isLessThan(10);
        // The writers carry on on the new primary and stamp the failover with the time they resumed.
        long afterPromotion = archived("run-");
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> archived("run-") > afterPromotion + 300);
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() ->
                count("SELECT count(*) FROM archive.failovers WHERE writes_resumed_at >= promoted_at") == 1);

        // The old primary comes back as it was (no standby.signal): it is fenced, and takes no write.
        primary.close(); // the killed server's handle: releases its directory lock
        primary = LabPostgres.startServer(dir.resolve("pg1"), primaryPort);
        await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> "on".equals(setting(primaryPort, "default_transaction_read_only")));

        traffic.close();
        long accepted = traffic.accepted();
        assertThat(accepted).isEqualTo(traffic.sent());
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> archived("run-") >= accepted);
        assertThat(archived("run-")).isEqualTo(accepted);
        assertThat(count("SELECT count(DISTINCT record_id) FROM archive.messages WHERE record_id LIKE 'run-%'")).isEqualTo(accepted);
        // Whatever the old primary holds is also in the new one: nothing was archived only there.
        Set<String> onOld = ids(primaryPort);
        Set<String> onNew = ids(standbyPort);
        assertThat(onOld).isNotEmpty();
        assertThat(onNew).containsAll(onOld);

        JsonNode cluster = getCluster(TestFiles.AUDITOR_TOKEN);
        assertThat(cluster.path("database").path("primary").asText()).isEqualTo("127.0.0.1:" + standbyPort);
        assertThat(cluster.path("database").path("servers").get(0).path("role").asText()).isEqualTo("fenced");
        assertThat(cluster.path("lastFailover").path("term").asInt()).isEqualTo(1);
        assertThat(cluster.path("lastFailover").path("writesResumedAt").isTextual()).isTrue();
        assertThat(cluster.path("archiveNodes").get(0).path("name").asText()).isEqualTo("node-1");
        assertThat(cluster.path("scheduledJobs").findValuesAsText("name")).contains("archiver.database-watch");
        assertThat(count("SELECT count(*) FROM archive.audit_log WHERE action = 'cluster.status'")).isEqualTo(1);
        assertThat(clusterStatusCode(TestFiles.INGEST_TOKEN)).isEqualTo(403);
        assertThat(clusterStatusCode(null)).isEqualTo(401);
    }

    @Test
    void withoutAStandbyCommitsGoOnAndSynchronousReplicationComesBackWithIt() throws Exception {
        start("managed");
        awaitSynchronousReplication();

        standby.kill();

        // Commits would wait for ever for a synchronous standby: the watcher turns it off...
        await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> "".equals(setting(primaryPort, "synchronous_standby_names")));
        long before = archived("run-");
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> archived("run-") > before + 300);
        // ...and on again once a standby streams.
        standby.close(); // the killed server's handle: releases its directory lock
        standby = LabPostgres.startServer(dir.resolve("pg2"), standbyPort);
        awaitSynchronousReplication();
        assertThat(count("SELECT count(*) FROM archive.failovers")).isZero();
    }

    @Test
    void externalModeNeverPromotesButFollowsAndRecordsAPromotionMadeElsewhere() throws Exception {
        start("external");
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> archived("run-") > 300);

        primary.kill();

        await().ignoreExceptions().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() -> "t".equals(inRecovery(standbyPort)));
        // The cluster manager (here: by hand) promotes the standby; the node follows the URL and records it.
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + standbyPort + "/archive", "postgres", "")) {
            c.createStatement().execute("SELECT pg_promote(true, 30)");
        }
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM archive.failovers WHERE mode = 'external' "
                + "AND new_primary = '127.0.0.1:" + standbyPort + "'") == 1);
        long after = archived("run-");
        await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> archived("run-") > after + 300);
    }

    private void start(String mode) throws Exception {
        Path tokens = TestFiles.tokens(dir);
        int http = FreePorts.any();
        int broker = FreePorts.any();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("node.name", "node-1");
        settings.put("db.url", url());
        settings.put("db.user", "postgres");
        settings.put("http.port", String.valueOf(http));
        settings.put("broker.port", String.valueOf(broker));
        settings.put("broker.dir", dir.resolve("broker").toString());
        settings.put("tokens.file", tokens.toString());
        settings.put("failover.mode", mode);
        node = ArchiveNode.start(Config.of(settings));
        frontend = FrontendService.start(Config.of(Map.of("frontend.name", "fe-1", "http.port", "0", "amqp.port", "0",
                "spool.dir", dir.resolve("spool").toString(), "tokens.file", tokens.toString(),
                "archive.brokers", "tcp://127.0.0.1:" + broker)));
        traffic = new TrafficGenerator(new ImTrafficModel("run", 11, 20), java.util.List.of("http://127.0.0.1:" + frontend.httpPort()),
                TestFiles.INGEST_TOKEN, 300);
        traffic.start();
    }

    private String url() {
        return "jdbc:postgresql://127.0.0.1:" + primaryPort + ",127.0.0.1:" + standbyPort
                + "/archive?targetServerType=primary&hostRecheckSeconds=1&connectTimeout=2";
    }

    private void awaitSynchronousReplication() {
        await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> "ANY 1 (\"pg2\")".equals(setting(primaryPort, "synchronous_standby_names"))
                && count("SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')") == 1);
    }

    private long archived(String prefix) {
        try {
            return count("SELECT count(*) FROM archive.messages WHERE record_id LIKE '" + prefix + "%'");
        } catch (SQLException e) {
            return -1; // during the failover
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(), "postgres", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Map<String, Object> row(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(), "postgres", ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            Map<String, Object> row = new LinkedHashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
            }
            return row;
        }
    }

    private static String setting(int port, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/archive", "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return null;
        }
    }

    private static String inRecovery(int port) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/archive", "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1) ? "t" : "f";
        } catch (SQLException e) {
            return null;
        }
    }

    private static Set<String> ids(int port) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/archive", "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT record_id FROM archive.messages WHERE record_id LIKE 'run-%'")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private int clusterStatusCode(String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.node().httpPort() + "/v1/cluster"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode getCluster(String token) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.node().httpPort() + "/v1/cluster"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
