package io.archiver.app.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.archiver.core.config.Config;
import io.archiver.core.net.FreePorts;
import io.archiver.ingest.FrontendService;
import io.archiver.app.ArchiveNode;
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

/**
 * The whole topology on one machine: a real PostgreSQL, the archive node and N front-ends, each
 * started from a config file written under the data directory (so the same files drive
 * {@code ./archiver node --config DIR/node.properties} and friends). Everything keeps its state
 * under that directory, so a restart on it resumes where the last run stopped.
 */
public final class LabCluster implements AutoCloseable {

    private final Path dataDir;
    private final LabTokens tokens;
    private final LabPostgres postgres;
    private final ArchiveNode node;
    private final List<FrontendService> frontends;
    private final Path nodeConfig;

    private LabCluster(Path dataDir, LabTokens tokens, LabPostgres postgres, ArchiveNode node,
                       List<FrontendService> frontends, Path nodeConfig) {
        this.dataDir = dataDir;
        this.tokens = tokens;
        this.postgres = postgres;
        this.node = node;
        this.frontends = frontends;
        this.nodeConfig = nodeConfig;
    }

    /**
     * @param nodeSettings extra node settings (the benchmark tunes batch sizes); may be empty
     */
    public static LabCluster start(Path dataDir, int frontendCount, Map<String, String> nodeSettings) throws Exception {
        Files.createDirectories(dataDir);
        LabTokens tokens = LabTokens.loadOrCreate(dataDir.resolve("tokens"));
        LabPostgres postgres = LabPostgres.start(dataDir.resolve("postgres/primary"));
        ArchiveNode node = null;
        List<FrontendService> frontends = new ArrayList<>();
        try {
            Map<String, String> nodeValues = new LinkedHashMap<>();
            nodeValues.put("db.url", postgres.jdbcUrl());
            nodeValues.put("db.user", LabPostgres.USER);
            nodeValues.put("http.host", "127.0.0.1");
            nodeValues.put("http.port", String.valueOf(FreePorts.any()));
            nodeValues.put("broker.host", "127.0.0.1");
            nodeValues.put("broker.port", String.valueOf(FreePorts.any()));
            nodeValues.put("broker.dir", dataDir.resolve("node/broker").toString());
            nodeValues.put("tokens.file", tokens.file().toString());
            nodeValues.put("failover.mode", "managed");
            nodeValues.putAll(nodeSettings);
            Path nodeConfig = writeProperties(dataDir.resolve("node.properties"), nodeValues);
            node = ArchiveNode.start(Config.load(nodeConfig));

            for (int i = 1; i <= frontendCount; i++) {
                Map<String, String> values = new LinkedHashMap<>();
                values.put("frontend.name", "fe-" + i);
                values.put("http.host", "127.0.0.1");
                values.put("http.port", String.valueOf(FreePorts.any()));
                values.put("amqp.port", String.valueOf(FreePorts.any()));
                values.put("spool.dir", dataDir.resolve("frontend-" + i + "/spool").toString());
                values.put("archive.brokers", "tcp://127.0.0.1:" + node.node().brokerPort());
                values.put("tokens.file", tokens.file().toString());
                Path config = writeProperties(dataDir.resolve("frontend-" + i + ".properties"), values);
                frontends.add(FrontendService.start(Config.load(config)));
            }
            LabCluster cluster = new LabCluster(dataDir, tokens, postgres, node, frontends, nodeConfig);
            cluster.writeLabJson();
            return cluster;
        } catch (Exception e) {
            for (FrontendService frontend : frontends) {
                frontend.close();
            }
            if (node != null) {
                node.close();
            }
            postgres.close();
            throw e;
        }
    }

    public List<String> frontendUrls() {
        return frontends.stream().map(f -> "http://127.0.0.1:" + f.httpPort()).toList();
    }

    public String nodeUrl() {
        return "http://127.0.0.1:" + node.node().httpPort();
    }

    public LabTokens tokens() {
        return tokens;
    }

    public LabPostgres postgres() {
        return postgres;
    }

    public NodeService node() {
        return node.node();
    }

    public List<FrontendService> frontends() {
        return frontends;
    }

    public Path labJson() {
        return dataDir.resolve("lab.json");
    }

    /** Records waiting anywhere between the front-ends' spools and the database. */
    public long inFlightMessages() {
        return frontends.stream().mapToLong(FrontendService::spoolDepth).sum() + node().queueDepth();
    }

    /** Records the node has committed since it started (its own counter: cheap to poll). */
    public long archivedByNode() {
        Counter archived = node().metrics().find("archiver.records.archived").counter();
        return archived == null ? 0 : (long) archived.count();
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

    private void writeLabJson() throws IOException {
        Map<String, Object> lab = new LinkedHashMap<>();
        lab.put("frontends", frontendUrls());
        lab.put("node", nodeUrl());
        lab.put("tokens", tokens.all());
        Map<String, Object> db = new LinkedHashMap<>();
        db.put("url", postgres.jdbcUrl());
        db.put("user", LabPostgres.USER);
        db.put("password", "");
        lab.put("db", db);
        Map<String, Object> primary = new LinkedHashMap<>();
        primary.put("role", "primary");
        primary.put("port", postgres.port());
        primary.put("pid", postgres.pid());
        lab.put("postgres", List.of(primary));
        lab.put("amqp", frontends.stream().map(FrontendService::amqpPort).toList());
        lab.put("config", nodeConfig.toAbsolutePath().toString());
        Path target = labJson();
        Path temporary = target.resolveSibling("lab.json.tmp");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(temporary.toFile(), lab);
        Files.move(temporary, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path writeProperties(Path file, Map<String, String> values) throws IOException {
        Properties properties = new Properties();
        values.forEach(properties::setProperty);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "written by archiver lab; rewritten at every start");
        }
        return file;
    }

    /** Front-ends first (they stop taking records), then the node, then the database. */
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
        try {
            node.close();
        } catch (Exception e) {
            first = first == null ? e : first;
        }
        postgres.close();
        Files.deleteIfExists(labJson());
        if (first != null) {
            throw first;
        }
    }
}
