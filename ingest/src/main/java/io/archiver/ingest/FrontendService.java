package io.archiver.ingest;

import io.archiver.core.auth.TokenStore;
import io.archiver.core.config.Config;
import io.archiver.core.http.BearerAuth;
import io.archiver.core.http.Health;
import io.archiver.core.http.HttpServer;
import io.archiver.core.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running front-end ({@code ./archiver frontend}): the HTTP intake, the local durable spool with
 * its AMQP/core acceptor, and the bridge that forwards the spool to the archive. Start it with
 * {@link #start(Config)}; {@link #close()} stops intake first, then the bridge and the broker, leaving
 * whatever is still spooled in {@code spool.dir} for the next start to forward.
 */
public final class FrontendService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FrontendService.class);

    /** How many HTTP requests may write to the spool at the same time. */
    static final int SPOOL_SESSIONS = 8;

    private final FrontendSettings settings;
    private final SpoolBroker broker;
    private final SpoolWriter writer;
    private final ArchiveLink link;
    private final SpoolCapacity capacity;
    private final IntakeGate gate;
    private final FrontendMetrics metrics;
    private final HttpServer http;
    private boolean closed;

    private FrontendService(FrontendSettings settings, SpoolBroker broker, SpoolWriter writer, ArchiveLink link,
                            SpoolCapacity capacity, IntakeGate gate, FrontendMetrics metrics, HttpServer http) {
        this.settings = settings;
        this.broker = broker;
        this.writer = writer;
        this.link = link;
        this.capacity = capacity;
        this.gate = gate;
        this.metrics = metrics;
        this.http = http;
    }

    /**
     * Reads the settings (a {@link io.archiver.core.config.ConfigException} names any bad or missing key,
     * {@code tokens.file} is required, and so does any bad {@code policies.*} key), starts the spool broker and
     * its bridge, then the HTTP listener.
     */
    public static FrontendService start(Config config) {
        return start(FrontendSettings.from(config));
    }

    /** Starts with settings read once by the caller. */
    public static FrontendService start(FrontendSettings settings) {
        TokenStore tokens = TokenStore.load(settings.tokensFile());
        if (tokens.isEmpty()) {
            log.warn("tokens.file {} lists no tokens: every request will be refused with 401", settings.tokensFile());
        }
        log.info("archiving policies: {}", settings.policies().describe());
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            PrometheusMeterRegistry registry = Metrics.newRegistry("frontend", settings.name());
            Counter skippedByPolicy = FrontendMetrics.skippedByPolicy(registry);
            SpoolBroker broker = SpoolBroker.start(settings, skippedByPolicy::increment);
            started.push(broker);
            SpoolWriter writer = new SpoolWriter(broker.inVmUrl(), settings.name(), SPOOL_SESSIONS);
            started.push(writer);
            ArchiveLink link = ArchiveLink.start(broker::bridgeConnected);
            started.push(link);
            SpoolCapacity capacity = new SpoolCapacity(settings.spoolMaxBytes(), broker::bytes);
            IntakeGate gate = new IntakeGate(settings.critical(), settings.criticalAfter(), link, capacity, broker::isActive);
            FrontendMetrics metrics = new FrontendMetrics(registry, broker, link);
            RecordsEndpoint records = new RecordsEndpoint(new BearerAuth(tokens), gate, capacity, writer, metrics,
                    settings.policies(), settings.maxRecords(), settings.maxBytes());
            Readiness readiness = new Readiness(broker, link, capacity, gate);
            HttpServer http = HttpServer.start(settings.httpHost(), settings.httpPort(), registry, readiness::health,
                    app -> app.post("/v1/records", records));
            FrontendService service = new FrontendService(settings, broker, writer, link, capacity, gate, metrics, http);
            log.info("front-end {} listening on http://{}:{}{}, spool {}, archive {}", settings.name(), settings.httpHost(), http.port(),
                    broker.amqpPort() == 0 ? "" : " and amqp/core " + settings.amqpHost() + ":" + broker.amqpPort(),
                    broker.dir(), settings.archiveBrokers());
            return service;
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    public int httpPort() {
        return http.port();
    }

    /** The AMQP 1.0 / core acceptor's port, 0 when it is off ({@code amqp.port=0}). */
    public int amqpPort() {
        return broker.amqpPort();
    }

    /** Messages waiting in {@code archive.inbound} to be forwarded. */
    public long spoolDepth() {
        return broker.depth();
    }

    /** Bytes the spool queue holds. */
    public long spoolBytes() {
        return broker.bytes();
    }

    public boolean archiveReachable() {
        return link.reachable();
    }

    public String name() {
        return settings.name();
    }

    public PrometheusMeterRegistry metrics() {
        return metrics.registry();
    }

    public FrontendSettings settings() {
        return settings;
    }

    /** The spool broker; for tests that need to break it. */
    SpoolBroker spoolBroker() {
        return broker;
    }

    /** The spool writer; for tests that need to break it. */
    SpoolWriter spoolWriter() {
        return writer;
    }

    /** The current readiness, as {@code GET /health/ready} answers it. */
    public Health health() {
        return new Readiness(broker, link, capacity, gate).health();
    }

    /** Stops the HTTP listener first (no request is cut off half-spooled), then the writer, the bridge and the broker. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Deque<AutoCloseable> order = new ArrayDeque<>();
        order.add(http);
        order.add(writer);
        order.add(link);
        order.add(broker);
        while (!order.isEmpty()) {
            closeQuietly(order.poll());
        }
        log.info("front-end {} stopped; {} left in the spool", settings.name(), settings.spoolDir());
    }

    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            closeQuietly(started.pop());
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("stopping {} failed: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }

    /** {@code /health/ready}: ready while the spool broker runs and the front-end is not refusing records. */
    private record Readiness(SpoolBroker broker, ArchiveLink link, SpoolCapacity capacity, IntakeGate gate) {
        Health health() {
            boolean active = broker.isActive();
            Optional<IntakeGate.Refusal> refusal = gate.readinessRefusal();
            Map<String, Object> checks = new LinkedHashMap<>();
            checks.put("spoolBroker", active ? "UP" : "DOWN");
            checks.put("archiveReachable", link.reachable());
            link.unreachableSince().ifPresent(since -> {
                checks.put("archiveUnreachableSince", since.toString());
                checks.put("archiveUnreachableSeconds", link.unreachableFor().toSeconds());
            });
            checks.put("criticalMode", gate.criticalMode());
            checks.put("spoolDepth", active ? broker.depth() : -1);
            checks.put("spoolBytes", active ? broker.bytes() : -1);
            checks.put("spoolMaxBytes", capacity.maxBytes());
            refusal.ifPresent(r -> checks.put("refusing", r.reason()));
            return new Health(active && refusal.isEmpty(), checks);
        }
    }
}
