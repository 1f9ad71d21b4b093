package io.archiver.store;

import io.archiver.core.spool.EmbeddedBrokerConfig;
import io.archiver.core.spool.InVmIds;
import io.archiver.core.spool.SpoolFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMAcceptorFactory;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnectorFactory;
import org.apache.activemq.artemis.core.remoting.impl.invm.TransportConstants;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptor;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.spi.core.remoting.Acceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive node's embedded Artemis broker: the durable queue {@value SpoolFormat#ARCHIVE} that the
 * front-ends' core bridges forward to, and that the {@link ArchivingConsumer} drains over in-VM. It is
 * what lets the archive side be down for as long as it takes: messages are journalled and paged to
 * disk, never expire, never go to a dead-letter address and never block producers on a disk limit.
 *
 * <p>Keys: {@code broker.host} (127.0.0.1), {@code broker.port} (61616; 0 picks a free port),
 * {@code broker.dir} (./data/broker), {@code broker.queueMemory} (256MiB: in-memory size of the queue
 * before it pages to disk). 256 MiB rather than less because paging costs CPU on a small machine: at
 * 32 MiB a consumer a second or two behind made the broker page, and the write path used up to 40%
 * more CPU per record ({@code ./archiver bench}, 2 cores); a longer backlog still pages.
 */
public final class ArchiveBroker implements AutoCloseable {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 61616;
    public static final String DEFAULT_DIR = "./data/broker";
    public static final long DEFAULT_QUEUE_MEMORY = 256L << 20;
    public static final int DUPLICATE_ID_CACHE = 100_000;

    private static final Logger log = LoggerFactory.getLogger(ArchiveBroker.class);
    private static final String TCP_ACCEPTOR = "archive-tcp";
    private static final String IN_VM_ACCEPTOR = "archive-in-vm";

    private final ActiveMQServer server;
    private final int inVmId;
    private final Path dir;

    private ArchiveBroker(ActiveMQServer server, int inVmId, Path dir) {
        this.server = server;
        this.inVmId = inVmId;
        this.dir = dir;
    }

    public static ArchiveBroker start(BrokerSettings settings) {
        String host = settings.host();
        int port = settings.port();
        Path dir = settings.dir();
        long queueMemory = settings.queueMemory();
        int inVmId = InVmIds.next();

        ConfigurationImpl configuration = EmbeddedBrokerConfig.persistent("archive-broker", dir)
                .storeAndForwardQueue(SpoolFormat.ARCHIVE, queueMemory)
                .duplicateIdCache(DUPLICATE_ID_CACHE)
                .configuration();
        try {
            configuration.addAcceptorConfiguration(TCP_ACCEPTOR,
                    "tcp://" + host + ":" + port + "?protocols=CORE,AMQP");
        } catch (Exception e) {
            throw new IllegalArgumentException("broker.host/broker.port do not make a valid acceptor: " + host + ":" + port, e);
        }
        configuration.addAcceptorConfiguration(new TransportConfiguration(InVMAcceptorFactory.class.getName(),
                Map.of(TransportConstants.SERVER_ID_PROP_NAME, inVmId), IN_VM_ACCEPTOR));

        // The boolean is "enable persistence" (JMX is off through the configuration).
        ActiveMQServer server = ActiveMQServers.newActiveMQServer(configuration, true);
        try {
            Files.createDirectories(dir);
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            throw new IllegalStateException("cannot start the archive broker on " + host + ":" + port + " with journal in "
                    + dir + ": " + e.getMessage(), e);
        }
        if (!server.isActive()) {
            stopQuietly(server);
            throw new IllegalStateException("the archive broker did not become active (journal " + dir
                    + " locked by another broker?)");
        }
        ArchiveBroker broker = new ArchiveBroker(server, inVmId, dir);
        log.info("archive broker listening on {}:{} (CORE, AMQP), journal in {}", host, broker.port(), dir);
        return broker;
    }

    /** The TCP port the acceptor is bound to (the real one when {@code broker.port} was 0). */
    public int port() {
        Acceptor acceptor = server.getRemotingService().getAcceptor(TCP_ACCEPTOR);
        if (acceptor instanceof NettyAcceptor netty) {
            return netty.getActualPort();
        }
        throw new IllegalStateException("the archive broker has no TCP acceptor");
    }

    /** Messages in {@value SpoolFormat#ARCHIVE}, including delivered but not yet acknowledged ones. */
    public long queueDepth() {
        Queue queue = server.locateQueue(SimpleString.of(SpoolFormat.ARCHIVE));
        return queue == null ? 0 : queue.getMessageCount();
    }

    public boolean isActive() {
        return server.isStarted() && server.isActive();
    }

    /** A locator for clients in this JVM (the consumer), bound to this broker's in-VM acceptor. */
    public ServerLocator inVmLocator() {
        return ActiveMQClient.createServerLocatorWithoutHA(new TransportConfiguration(InVMConnectorFactory.class.getName(),
                Map.of(TransportConstants.SERVER_ID_PROP_NAME, inVmId)));
    }

    public Path dir() {
        return dir;
    }

    /** The Artemis server itself, for diagnostics and tests. */
    public ActiveMQServer server() {
        return server;
    }

    @Override
    public void close() {
        stopQuietly(server);
    }

    private static void stopQuietly(ActiveMQServer server) {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("stopping the archive broker failed", e);
        }
    }
}
