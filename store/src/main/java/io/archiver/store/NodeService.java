package io.archiver.store;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.auth.TokenStore;
import io.archiver.core.config.Config;
import io.archiver.core.http.BearerAuth;
import io.archiver.core.http.Health;
import io.archiver.core.http.HttpServer;
import io.archiver.core.metrics.Metrics;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's part of an archive node ({@code ./archiver node}): the database pool (migrated on start),
 * the archive broker the front-ends forward to, the consumer that drains it into PostgreSQL, and then,
 * by {@link #serve}, the HTTP listener with health, metrics and the caller's routes (last, so that the
 * routes can use services started after the store). Closed in reverse, so the consumer never writes to
 * a closed pool nor acknowledges to a stopped broker. Killing the process at any moment is safe as
 * well: unacknowledged messages are redelivered and written idempotently.
 *
 * <p>Settings: {@link StoreSettings} (keys in {@link StoreKeys}), read once by the caller.
 */
public final class NodeService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeService.class);

    /** Lets a caller add HTTP routes that need the node's pool, metrics or broker. */
    @FunctionalInterface
    public interface Routes {
        void register(Javalin app, NodeService node);
    }

    private final StoreSettings settings;
    private final String name;
    private final PrometheusMeterRegistry metrics;
    private final BearerAuth auth;
    private HikariDataSource dataSource;
    private ArchiveBroker broker;
    private ArchivingConsumer consumer;
    private HttpServer http;
    private String httpUrl;
    private String brokerUrl;
    private volatile ArchiveWriter.ServerMoves serverMoves = ArchiveWriter.ServerMoves.NONE;
    private volatile boolean closed;

    private NodeService(StoreSettings settings, PrometheusMeterRegistry metrics, BearerAuth auth) {
        this.settings = settings;
        this.name = settings.nodeName();
        this.metrics = metrics;
        this.auth = auth;
    }

    /** The store alone with health and metrics (and no admin API): started and serving. */
    public static NodeService start(Config config) {
        return start(StoreSettings.from(config), (app, node) -> { });
    }

    /** Started and serving {@code routes}. */
    public static NodeService start(StoreSettings settings, Routes routes) {
        NodeService node = startStore(settings);
        try {
            node.serve(routes);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** Pool (migrated), broker and consumer; no HTTP listener until {@link #serve}. */
    public static NodeService startStore(StoreSettings settings) {
        String name = settings.nodeName();
        NodeService node = new NodeService(settings, Metrics.newRegistry("node", name), new BearerAuth(tokens(settings)));
        try {
            node.dataSource = Database.open(settings.database(), "node");
            int writers = settings.consumer().writers();
            if (node.dataSource.getMaximumPoolSize() <= writers) {
                log.warn("db.poolSize {} leaves no connection beside the {} writer thread(s) (store.writers); "
                        + "health checks and admin requests will wait", node.dataSource.getMaximumPoolSize(), writers);
            }
            Migrations.migrate(node.dataSource);
            node.broker = ArchiveBroker.start(settings.broker());
            Gauge.builder("archiver.archive.queue.depth", node, NodeService::queueDepth)
                    .description("messages waiting in the archive broker's queue")
                    .strongReference(true)
                    .register(node.metrics);
            ArchiveWriter writer = new ArchiveWriter(node.dataSource,
                    (from, to, lastBefore, firstAfter) -> node.serverMoves.moved(from, to, lastBefore, firstAfter));
            node.consumer = ArchivingConsumer.start(node.broker, writer, settings.consumer(), node.metrics);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        log.info("archive node {} started: broker port {}", name, node.brokerPort());
        return node;
    }

    /** Starts the HTTP listener ({@code http.host}, {@code http.port}) with health, metrics and {@code routes}. */
    public void serve(Routes routes) {
        String httpHost = settings.httpHost();
        http = HttpServer.start(httpHost, settings.httpPort(), metrics, this::readiness, app -> routes.register(app, this));
        httpUrl = "http://" + httpHost + ":" + http.port();
        brokerUrl = "tcp://" + settings.broker().host() + ":" + broker.port();
        log.info("archive node {} serving http port {}", name, http.port());
    }

    /** Who to tell when the writers' first commit lands on another database server (a failover). */
    public void onServerMoves(ArchiveWriter.ServerMoves listener) {
        serverMoves = listener;
    }

    /** Ready when the database answers {@code SELECT 1} and the broker is active. */
    public Health readiness() {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean database = databaseReachable();
        boolean brokerActive = broker != null && broker.isActive();
        checks.put("database", database ? "UP" : "DOWN");
        checks.put("broker", brokerActive ? "UP" : "DOWN");
        checks.put("queueDepth", queueDepth());
        return new Health(database && brokerActive && !closed, checks);
    }

    private boolean databaseReachable() {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(2);
            statement.execute("SELECT 1");
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** The admin API's tokens ({@code tokens.file}); without the key every admin and auditor call gets 401. */
    private static TokenStore tokens(StoreSettings settings) {
        return settings.tokensFile().map(TokenStore::load)
                .orElseGet(() -> {
                    log.warn("no tokens.file: the admin API refuses every call (401)");
                    return TokenStore.none();
                });
    }

    /** Checks the bearer token of an admin or auditor call. */
    public BearerAuth auth() {
        return auth;
    }

    public String name() {
        return name;
    }

    /** The settings it was started with. */
    public StoreSettings settings() {
        return settings;
    }

    public int httpPort() {
        return http.port();
    }

    /** This node's HTTP listener as others reach it (once serving). */
    public String httpUrl() {
        return httpUrl;
    }

    /** This node's archive broker as the front-ends reach it (once serving). */
    public String brokerUrl() {
        return brokerUrl;
    }

    public int brokerPort() {
        return broker.port();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public ArchiveBroker broker() {
        return broker;
    }

    public long queueDepth() {
        ArchiveBroker b = broker;
        return b == null || !b.isActive() ? 0 : b.queueDepth();
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    /** Consumer (its batch finishes or stays unacknowledged), broker, HTTP, pool. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> order = new ArrayList<>();
        if (consumer != null) {
            order.add(consumer);
        }
        if (broker != null) {
            order.add(broker);
        }
        if (http != null) {
            order.add(http);
        }
        if (dataSource != null) {
            order.add(dataSource);
        }
        for (AutoCloseable part : order) {
            try {
                part.close();
            } catch (Exception e) {
                log.warn("closing {} failed", part.getClass().getSimpleName(), e);
            }
        }
        metrics.close();
        log.info("archive node {} stopped", name);
    }
}
