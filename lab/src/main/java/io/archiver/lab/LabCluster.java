package io.archiver.lab;

import io.archiver.app.ArchiveNode;
import io.archiver.core.config.Config;
import io.archiver.core.config.Role;
import io.archiver.ingest.FrontendService;
import io.archiver.store.NodeService;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * The whole topology on one machine: two real PostgreSQL servers (a primary and a streaming standby, see
 * {@link LabDatabaseCluster}), one or two archive nodes and N front-ends, each started from a config file
 * written under the data directory (so the same files drive {@code ./archiver node --config
 * DIR/node.properties} and friends). Everything keeps its state under that directory, so a restart on it
 * resumes where the last run stopped, on the same ports ({@link LabPorts}: {@code DIR/ports.json}).
 */
public final class LabCluster implements AutoCloseable {

    private final Path dataDir;
    private final LabTokens tokens;
    private final LabDatabaseCluster database;
    private final List<ArchiveNode> nodes;
    private final List<FrontendService> frontends;
    private final Path nodeConfig;
    private volatile boolean closed;

    private LabCluster(Path dataDir, LabTokens tokens, LabDatabaseCluster database, List<ArchiveNode> nodes,
                       List<FrontendService> frontends, Path nodeConfig) {
        this.dataDir = dataDir;
        this.tokens = tokens;
        this.database = database;
        this.nodes = nodes;
        this.frontends = frontends;
        this.nodeConfig = nodeConfig;
    }

    /**
     * One archive node.
     *
     * @param nodeSettings extra node settings (the benchmark tunes batch sizes); may be empty
     */
    public static LabCluster start(Path dataDir, int frontendCount, Map<String, String> nodeSettings) throws Exception {
        return start(dataDir, frontendCount, 1, nodeSettings);
    }

    /**
     * @param nodeCount archive nodes (1 or 2), all on the same database cluster; every front-end knows all their brokers
     * @param nodeSettings extra node settings (the benchmark tunes batch sizes); may be empty
     */
    public static LabCluster start(Path dataDir, int frontendCount, int nodeCount, Map<String, String> nodeSettings)
            throws Exception {
        if (nodeCount < 1 || nodeCount > 2) {
            throw new IllegalArgumentException("the lab runs 1 or 2 archive nodes, not " + nodeCount);
        }
        Files.createDirectories(dataDir);
        LabTokens tokens = LabTokens.loadOrCreate(dataDir.resolve("tokens"));
        LabDatabaseCluster database = LabDatabaseCluster.start(dataDir);
        List<ArchiveNode> nodes = new ArrayList<>();
        List<FrontendService> frontends = new ArrayList<>();
        try {
            // chosen once the database cluster holds the directory's lock: a second lab on it stops before this
            LabPorts ports = LabPorts.load(dataDir.resolve("ports.json"))
                    .reserve(List.of(database.port("pg1"), database.port("pg2")));
            List<Map<String, String>> nodeConfigs = new ArrayList<>();
            for (int i = 1; i <= nodeCount; i++) {
                Map<String, String> nodeValues = new LinkedHashMap<>();
                nodeValues.put("node.name", "node-" + i);
                nodeValues.put("db.url", database.jdbcUrl());
                nodeValues.put("db.user", LabPostgres.USER);
                nodeValues.put("http.host", "127.0.0.1");
                nodeValues.put("http.port", keptPort(ports, "node-" + i + ".http", "http.port", nodeSettings));
                nodeValues.put("broker.host", "127.0.0.1");
                nodeValues.put("broker.port", keptPort(ports, "node-" + i + ".broker", "broker.port", nodeSettings));
                // node 1 keeps the broker directory of the one-node labs, so their journals carry over
                nodeValues.put("broker.dir", dataDir.resolve(i == 1 ? "node/broker" : "node-" + i + "/broker").toString());
                nodeValues.put("tokens.file", tokens.file().toString());
                // HTTP export jobs write under the lab's directory, not the working directory
                nodeValues.put("exports.dir", dataDir.resolve(i == 1 ? "node/exports" : "node-" + i + "/exports").toString());
                nodeValues.put("failover.mode", "managed");
                nodeValues.putAll(nodeSettings);
                nodeConfigs.add(nodeValues);
            }
            List<Map<String, String>> frontendConfigs = new ArrayList<>();
            for (int i = 1; i <= frontendCount; i++) {
                Map<String, String> values = new LinkedHashMap<>();
                values.put("frontend.name", "fe-" + i);
                values.put("http.host", "127.0.0.1");
                values.put("http.port", String.valueOf(ports.port("fe-" + i + ".http")));
                values.put("amqp.port", String.valueOf(ports.port("fe-" + i + ".amqp")));
                frontendConfigs.add(values);
            }
            ports.save();

            Path nodeConfig = null;
            for (int i = 1; i <= nodeCount; i++) {
                Path config = writeProperties(dataDir.resolve(i == 1 ? "node.properties" : "node-" + i + ".properties"),
                        nodeConfigs.get(i - 1));
                nodeConfig = nodeConfig == null ? config : nodeConfig;
                nodes.add(ArchiveNode.start(Config.load(config, Role.NODE)));
            }
            String brokers = nodes.stream().map(n -> "tcp://127.0.0.1:" + n.node().brokerPort())
                    .collect(Collectors.joining(","));

            for (int i = 1; i <= frontendCount; i++) {
                Map<String, String> values = frontendConfigs.get(i - 1);
                values.put("spool.dir", dataDir.resolve("frontend-" + i + "/spool").toString());
                values.put("archive.brokers", brokers);
                values.put("tokens.file", tokens.file().toString());
                Path config = writeProperties(dataDir.resolve("frontend-" + i + ".properties"), values);
                frontends.add(FrontendService.start(Config.load(config, Role.FRONTEND)));
            }
            LabCluster cluster = new LabCluster(dataDir, tokens, database, List.copyOf(nodes), frontends, nodeConfig);
            cluster.writeLabJson(database.servers());
            // a failover or a rebuild changes roles and pids: lab.json follows
            database.onChange(cluster::writeLabJsonQuietly);
            return cluster;
        } catch (Exception e) {
            for (FrontendService frontend : frontends) {
                frontend.close();
            }
            for (ArchiveNode node : nodes) {
                node.close();
            }
            database.close();
            throw e;
        }
    }

    /** The kept port of {@code name} unless the caller's settings fix {@code key} themselves. */
    private static String keptPort(LabPorts ports, String name, String key, Map<String, String> settings) {
        return settings.containsKey(key) ? settings.get(key) : String.valueOf(ports.port(name));
    }

    public List<String> frontendUrls() {
        return frontends.stream().map(f -> "http://127.0.0.1:" + f.httpPort()).toList();
    }

    /** Node 1's URL. */
    public String nodeUrl() {
        return nodeUrl(nodes.get(0));
    }

    private static String nodeUrl(ArchiveNode node) {
        return "http://127.0.0.1:" + node.node().httpPort();
    }

    public LabTokens tokens() {
        return tokens;
    }

    /** The two PostgreSQL servers; {@code jdbcUrl()} is the multi-host URL the nodes use. */
    public LabDatabaseCluster postgres() {
        return database;
    }

    /** Node 1. */
    public NodeService node() {
        return nodes.get(0).node();
    }

    public List<NodeService> nodes() {
        return nodes.stream().map(ArchiveNode::node).toList();
    }

    public List<FrontendService> frontends() {
        return frontends;
    }

    /** Node 1's config file, what {@code ./archiver status --config} and the drills take. */
    public Path nodeConfig() {
        return nodeConfig;
    }

    public Path labJson() {
        return dataDir.resolve("lab.json");
    }

    /** Records waiting anywhere between the front-ends' spools and the database. */
    public long inFlightMessages() {
        return frontends.stream().mapToLong(FrontendService::spoolDepth).sum()
                + nodes().stream().mapToLong(NodeService::queueDepth).sum();
    }

    /** Records the nodes have committed since they started (their own counters: cheap to poll). */
    public long archivedByNode() {
        long total = 0;
        for (NodeService node : nodes()) {
            Counter archived = node.metrics().find("archiver.records.archived").counter();
            total += archived == null ? 0 : (long) archived.count();
        }
        return total;
    }

    /** Rows in archive.messages whose record id starts with {@code prefix}. */
    public long archivedWithPrefix(String prefix) throws SQLException {
        try (Connection c = node().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM archive.messages WHERE record_id LIKE ?")) {
            s.setString(1, prefix.replace("%", "\\%").replace("_", "\\_") + "%");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void writeLabJsonQuietly(List<LabDatabaseCluster.Server> servers) {
        try {
            writeLabJson(servers);
        } catch (IOException e) {
            LoggerFactory.getLogger(LabCluster.class).warn("could not rewrite {}: {}", labJson(), e.toString());
        }
    }

    private synchronized void writeLabJson(List<LabDatabaseCluster.Server> servers) throws IOException {
        if (closed) {
            return;
        }
        Map<String, Object> lab = new LinkedHashMap<>();
        lab.put("frontends", frontendUrls());
        lab.put("node", nodeUrl());
        List<Map<String, Object>> nodeList = new ArrayList<>();
        for (ArchiveNode node : nodes) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", node.node().name());
            entry.put("url", nodeUrl(node));
            entry.put("broker", "tcp://127.0.0.1:" + node.node().brokerPort());
            nodeList.add(entry);
        }
        lab.put("nodes", nodeList);
        lab.put("tokens", tokens.all());
        Map<String, Object> db = new LinkedHashMap<>();
        db.put("url", database.jdbcUrl());
        db.put("user", LabPostgres.USER);
        db.put("password", "");
        lab.put("db", db);
        List<Map<String, Object>> postgres = new ArrayList<>();
        for (LabDatabaseCluster.Server server : servers) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", server.name());
            entry.put("role", server.role());
            entry.put("port", server.port());
            entry.put("pid", server.pid());
            entry.put("dir", server.dataDir().toAbsolutePath().toString());
            postgres.add(entry);
        }
        lab.put("postgres", postgres);
        lab.put("amqp", frontends.stream().map(FrontendService::amqpPort).toList());
        lab.put("config", nodeConfig.toAbsolutePath().toString());
        JsonFiles.write(labJson(), lab);
    }

    private static Path writeProperties(Path file, Map<String, String> values) throws IOException {
        Properties properties = new Properties();
        values.forEach(properties::setProperty);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "written by archiver lab; rewritten at every start");
        }
        return file;
    }

    /** Front-ends first (they stop taking records), then the nodes, then the database. */
    @Override
    public void close() throws Exception {
        Exception first = null;
        for (FrontendService frontend : frontends) {
            try {
                frontend.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        for (ArchiveNode node : nodes) {
            try {
                node.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        try {
            database.close();
        } catch (Exception e) {
            first = first == null ? e : first;
        }
        synchronized (this) {
            closed = true;
            Files.deleteIfExists(labJson());
        }
        if (first != null) {
            throw first;
        }
    }
}
