package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.archiver.lab.ImTrafficModel;
import io.archiver.lab.LabPostgres;
import io.archiver.lab.TrafficGenerator;
import io.archiver.app.support.ArchiverProcess;
import io.archiver.app.support.Db;
import io.archiver.app.support.TestFiles;
import io.archiver.core.config.Config;
import io.archiver.ingest.FrontendService;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two archive nodes (processes) behind two front-ends that list both brokers. The node running the
 * database watch is killed with SIGKILL under load: the front-ends' bridges move to the other node,
 * which keeps archiving and takes over the watch job (Quartz recovery); once the dead node is back,
 * what was stranded in its broker is archived too, and every accepted record is there exactly once.
 */
class TwoArchiveNodesTest {

    @TempDir
    Path dir;

    @Test
    void theOtherNodeCarriesOnWhenTheActiveOneIsKilled() throws Exception {
        try (LabPostgres postgres = LabPostgres.start(dir.resolve("pg"))) {
            Db db = new Db(postgres.jdbcUrl());
            Path tokens = TestFiles.tokens(dir);
            Map<String, Path> configs = new HashMap<>();
            Map<String, String> brokers = new HashMap<>();
            Map<String, Integer> httpPorts = new HashMap<>();
            for (String name : List.of("node-a", "node-b")) {
                int http = TestFiles.freePort();
                int broker = TestFiles.freePort();
                httpPorts.put(name, http);
                brokers.put(name, "tcp://127.0.0.1:" + broker);
                configs.put(name, TestFiles.properties(dir.resolve(name + ".properties"), Map.of(
                        "node.name", name, "db.url", postgres.jdbcUrl(), "db.user", LabPostgres.USER,
                        "broker.port", String.valueOf(broker), "broker.dir", dir.resolve(name + "-broker").toString(),
                        "http.port", String.valueOf(http), "tokens.file", tokens.toString(),
                        "scheduler.checkinInterval", "1s")));
            }
            Map<String, ArchiverProcess> nodes = new HashMap<>();
            for (String name : List.of("node-a", "node-b")) {
                nodes.put(name, start(name, configs, httpPorts));
            }
            List<FrontendService> frontends = new ArrayList<>();
            TrafficGenerator traffic = null;
            try {
                for (int i = 1; i <= 2; i++) {
                    frontends.add(FrontendService.start(Config.of(Map.of("frontend.name", "fe-" + i, "http.port", "0", "amqp.port", "0",
                            "spool.dir", dir.resolve("fe-" + i).toString(), "tokens.file", tokens.toString(),
                            "archive.brokers", brokers.get("node-a") + "," + brokers.get("node-b")))));
                }
                String run = "two-nodes";
                traffic = new TrafficGenerator(new ImTrafficModel(run, 7, 20),
                        frontends.stream().map(f -> "http://127.0.0.1:" + f.httpPort()).toList(), TestFiles.INGEST_TOKEN, 300);
                traffic.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> db.rowsWithPrefix(run) > 600);
                String watching = await().atMost(Duration.ofSeconds(30)).until(() -> watchingNode(postgres), n -> n != null);

                nodes.get(watching).kill();
                String survivor = watching.equals("node-a") ? "node-b" : "node-a";
                long atKill = db.rowsWithPrefix(run);

                // The survivor keeps archiving what the front-ends accept while the other node is dead...
                await().atMost(Duration.ofSeconds(60)).until(() -> db.rowsWithPrefix(run) > atKill + 1500);
                // ...and its Quartz takes over the dead node's database watch.
                await().atMost(Duration.ofSeconds(60)).until(() -> survivor.equals(watchingNode(postgres)));
                assertThat(nodes.get(survivor).isAlive()).isTrue();

                traffic.close();
                long accepted = traffic.accepted();
                assertThat(accepted).isEqualTo(traffic.sent());
                // The dead node comes back on its broker journal: whatever was stranded there goes in too.
                nodes.put(watching, start(watching, configs, httpPorts));
                await().atMost(Duration.ofSeconds(90)).until(() -> db.rowsWithPrefix(run) >= accepted);

                assertThat(db.rowsWithPrefix(run)).isEqualTo(accepted);
                assertThat(db.count("SELECT count(DISTINCT record_id) FROM archive.messages WHERE record_id LIKE ?", run + "%"))
                        .isEqualTo(accepted);
            } finally {
                if (traffic != null) {
                    traffic.close();
                }
                for (FrontendService frontend : frontends) {
                    frontend.close();
                }
                for (ArchiverProcess node : nodes.values()) {
                    node.close();
                }
            }
        }
    }

    private ArchiverProcess start(String name, Map<String, Path> configs, Map<String, Integer> httpPorts) throws Exception {
        return ArchiverProcess.start(dir.resolve(name + ".log"), "node", "--config", configs.get(name).toString())
                .awaitLive("http://127.0.0.1:" + httpPorts.get(name));
    }

    /** The node whose Quartz instance runs the database watch now (instance ids start with the node name). */
    private static String watchingNode(LabPostgres postgres) throws Exception {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), LabPostgres.USER, "");
             ResultSet rs = c.createStatement().executeQuery("SELECT instance_name FROM archive.qrtz_fired_triggers "
                     + "WHERE job_name = 'database-watch' AND state = 'EXECUTING'")) {
            if (!rs.next()) {
                return null;
            }
            String instance = rs.getString(1);
            return instance.startsWith("node-a-") ? "node-a" : instance.startsWith("node-b-") ? "node-b" : null;
        }
    }
}
