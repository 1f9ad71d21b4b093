package io.archiver.ingest;

import io.archiver.core.spool.EmbeddedBrokerConfig;
import io.archiver.core.spool.InVmIds;
import io.archiver.core.spool.SpoolFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.apache.activemq.artemis.core.config.BridgeConfiguration;
import org.apache.activemq.artemis.core.config.TransformerConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.server.RemotingService;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;
import org.apache.activemq.artemis.core.server.ComponentConfigurationRoutingType;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.cluster.Bridge;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.remoting.Acceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front-end's local durable spool: an embedded Artemis broker with a synced journal under
 * {@code spool.dir}, the queue {@code archive.inbound}, and a core bridge that forwards that queue to
 * {@code archive.records} on the archive broker(s), store-and-forward like the MSMQ queue it replaces.
 * <p>
 * Nothing ever leaves the spool except through the bridge: no expiry (messages' own TTLs are ignored),
 * unlimited delivery attempts, and paging to disk beyond {@link #IN_MEMORY_BYTES} so that a long archive
 * outage costs disk, not heap. Artemis's own disk limit is off; the front-end enforces {@code spool.maxBytes}
 * itself (see {@link SpoolCapacity}) so that it can answer 503 instead of blocking senders.
 */
public final class SpoolBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SpoolBroker.class);

    /** The name of the core bridge from {@code archive.inbound} to the archive. */
    public static final String BRIDGE_NAME = "archive-forwarder";
    /** How much of the spool queue stays in memory before Artemis pages the rest to disk. */
    public static final long IN_MEMORY_BYTES = 32L << 20;

    private static final String INTAKE_ACCEPTOR = "intake";

    private final ActiveMQServer server;
    private final String inVmUrl;
    private final int amqpPort;
    private final Path dir;

    private SpoolBroker(ActiveMQServer server, String inVmUrl, int amqpPort, Path dir) {
        this.server = server;
        this.inVmUrl = inVmUrl;
        this.amqpPort = amqpPort;
        this.dir = dir;
    }

    /** Starts the broker (recovering whatever the journal in {@code spool.dir} still holds) and its bridge. */
    public static SpoolBroker start(FrontendSettings settings) {
        return start(settings, records -> { });
    }

    /**
     * Starts the broker and its bridge; when the archiving policies exclude anything, records that AMQP/core
     * senders put into {@code archive.inbound} are filtered too ({@link InboundPolicyPlugin}), each dropped
     * message's record count going to {@code skippedByPolicy}.
     */
    public static SpoolBroker start(FrontendSettings settings, IntConsumer skippedByPolicy) {
        Path dir = settings.spoolDir().toAbsolutePath().normalize();
        String inVmUrl = "vm://" + InVmIds.next();
        EmbeddedBrokerConfig base = EmbeddedBrokerConfig.persistent("spool-" + settings.name(), dir)
                .storeAndForwardQueue(SpoolFormat.INBOUND, IN_MEMORY_BYTES);
        base.addressSettings(SpoolFormat.INBOUND).setEnableIngressTimestamp(true);
        ConfigurationImpl config = base.configuration();
        try {
            config.addAcceptorConfiguration("in-vm", inVmUrl);
            if (settings.amqpPort() != 0) {
                config.addAcceptorConfiguration(INTAKE_ACCEPTOR, "tcp://" + uriHost(settings.amqpHost()) + ":" + settings.amqpPort()
                        + "?protocols=CORE,AMQP;amqpMinLargeMessageSize=" + SpoolFormat.MIN_LARGE_MESSAGE_BYTES);
            }
            List<String> connectors = new ArrayList<>();
            for (int i = 0; i < settings.archiveBrokers().size(); i++) {
                String name = "archive-" + i;
                config.addConnectorConfiguration(name, settings.archiveBrokers().get(i));
                connectors.add(name);
            }
            config.addBridgeConfiguration(bridge(settings, connectors));
        } catch (Exception e) {
            throw new IllegalStateException("cannot configure the spool broker: " + e.getMessage(), e);
        }
        // Nothing but archive.inbound exists here: a sender naming another address is refused, not given one.
        config.addAddressSetting("#", new AddressSettings()
                .setAutoCreateAddresses(false)
                .setAutoCreateQueues(false)
                .setAutoCreateDeadLetterResources(false)
                .setAutoCreateExpiryResources(false));
        config.registerBrokerPlugin(new DurableInboundPlugin());
        if (!settings.policies().archivesEverything()) {
            config.registerBrokerPlugin(new InboundPolicyPlugin(settings.policies(), skippedByPolicy));
        }

        ActiveMQServer server = ActiveMQServers.newActiveMQServer(config);
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            throw new IllegalStateException("cannot start the spool broker in " + dir + ": " + e.getMessage(), e);
        }
        if (!server.isActive() || server.locateQueue(SpoolFormat.INBOUND) == null) {
            stopQuietly(server);
            throw new IllegalStateException("the spool broker in " + dir + " did not become active (is another front-end using spool.dir?)");
        }
        int amqpPort = 0;
        if (settings.amqpPort() != 0) {
            Acceptor acceptor = intakeAcceptor(server.getRemotingService());
            if (acceptor == null || !acceptor.isStarted()) {
                stopQuietly(server);
                throw new IllegalStateException("cannot listen for AMQP/core senders on " + settings.amqpHost() + ":" + settings.amqpPort()
                        + " (amqp.host/amqp.port): is the port in use?");
            }
            amqpPort = settings.amqpPort();
        }
        log.info("spool broker started in {}: {} message(s) waiting in {}, forwarding to {}", dir,
                server.locateQueue(SpoolFormat.INBOUND).getMessageCount(), SpoolFormat.INBOUND, settings.archiveBrokers());
        return new SpoolBroker(server, inVmUrl, amqpPort, dir);
    }

    /**
     * The bridge: static connectors in the order of {@code archive.brokers}, no HA, duplicate detection
     * so a message re-sent after a lost confirmation is dropped by the archive broker, reconnecting
     * forever with a back-off ({@code archive.retryInterval} doubling up to {@code archive.maxRetryInterval}).
     * <p>
     * Which broker: Artemis picks the first one at random among the listed ones (its round-robin policy starts
     * at a random place, and a bridge's locator cannot be given another policy), then after each failure moves
     * on to the next one in list order, wrapping around; it does not move back when an earlier broker returns.
     * So {@code archive.brokers} is the set of brokers to use and the order of the rotation, not a preference.
     * With one broker it simply reconnects to it forever.
     * <p>
     * Moving promptly: Artemis retries the node it was connected to {@code reconnectAttemptsOnSameNode} times
     * (default 10, with the back-off: ~43 s measured) before trying another connector; here 0, so the first
     * retry ({@code archive.retryInterval} after the failure) already goes to the next broker. Measured with
     * the defaults (TwoArchiveBrokersTest, archive broker killed with SIGKILL): forwarding resumes on the other
     * broker 0.6-0.75 s after the kill (1 retry on the same node: ~1.7 s; 2: ~3.7 s). A broker that hangs or
     * whose host vanishes sends no FIN/RST: the pings detect it, at most ~2 x connectionTTL; with 2 s / 6 s
     * forwarding resumes elsewhere ~11 s after a SIGSTOP (Artemis' 10 s / 20 s: ~60 s). A connection dropped by
     * a broker that is still alive also makes the bridge move: harmless, the archive de-duplicates by record id.
     * <p>
     * Stopping: after a failure Artemis never clears its count of sends awaiting confirmation, so a stop
     * would wait the whole pending-ack timeout (60 s by default) for confirmations that cannot come; 3 s
     * bounds that. Unconfirmed messages stay in the spool and are re-sent with the same duplicate id.
     */
    static BridgeConfiguration bridge(FrontendSettings settings, List<String> connectors) {
        TransformerConfiguration transformer = new TransformerConfiguration(FrontendStampTransformer.class.getName());
        transformer.getProperties().put(FrontendStampTransformer.FRONTEND_NAME, settings.name());
        return new BridgeConfiguration(BRIDGE_NAME)
                .setQueueName(SpoolFormat.INBOUND)
                .setForwardingAddress(SpoolFormat.ARCHIVE)
                .setRoutingType(ComponentConfigurationRoutingType.ANYCAST)
                .setStaticConnectors(connectors)
                .setHA(false)
                .setUseDuplicateDetection(true)
                .setInitialConnectAttempts(-1)
                .setReconnectAttempts(-1)
                .setReconnectAttemptsOnSameNode(0)
                .setRetryInterval(settings.retryInterval().toMillis())
                .setRetryIntervalMultiplier(2.0)
                .setMaxRetryInterval(settings.maxRetryInterval().toMillis())
                .setClientFailureCheckPeriod(2_000)
                .setConnectionTTL(6_000)
                .setPendingAckTimeout(3_000)
                .setMinLargeMessageSize(SpoolFormat.MIN_LARGE_MESSAGE_BYTES)
                .setTransformerConfiguration(transformer);
    }

    /** The URL of the in-VM acceptor, for this JVM's own clients (the {@link SpoolWriter}). */
    public String inVmUrl() {
        return inVmUrl;
    }

    /** The AMQP/core acceptor's port, 0 when {@code amqp.port} is 0. */
    public int amqpPort() {
        return amqpPort;
    }

    public Path dir() {
        return dir;
    }

    public boolean isActive() {
        return server.isActive();
    }

    /** Messages waiting in {@code archive.inbound}, those being forwarded included. */
    public long depth() {
        Queue queue = inbound();
        return queue == null ? 0 : queue.getMessageCount();
    }

    /** The persistent size of what {@code archive.inbound} holds (journal and paged messages). */
    public long bytes() {
        Queue queue = inbound();
        return queue == null ? 0 : Math.max(0, queue.getPersistentSize());
    }

    /** Whether the bridge holds a live session with an archive broker right now. */
    public boolean bridgeConnected() {
        return bridge().map(Bridge::isConnected).orElse(false);
    }

    Optional<Bridge> bridge() {
        if (!server.isActive() || server.getClusterManager() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(server.getClusterManager().getBridges().get(BRIDGE_NAME));
    }

    ActiveMQServer server() {
        return server;
    }

    private Queue inbound() {
        return server.isActive() ? server.locateQueue(SpoolFormat.INBOUND) : null;
    }

    /** Stops the bridge (unacknowledged forwards go back to the queue) and the broker; the journal stays. */
    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("the spool broker in {} did not stop cleanly: {}", dir, e.toString());
        }
    }

    private static Acceptor intakeAcceptor(RemotingService remoting) {
        return remoting.getAcceptor(INTAKE_ACCEPTOR);
    }

    private static String uriHost(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static void stopQuietly(ActiveMQServer server) {
        try {
            server.stop();
        } catch (Exception e) {
            log.debug("stopping the spool broker after a failed start", e);
        }
    }
}
