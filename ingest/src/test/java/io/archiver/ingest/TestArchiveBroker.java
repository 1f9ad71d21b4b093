package io.archiver.ingest;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.MalformedBodyException;
import io.archiver.core.record.ParsedBatch;
import io.archiver.core.record.RecordParser;
import io.archiver.core.spool.InVmIds;
import io.archiver.core.spool.SpoolFormat;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.config.CoreAddressConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.ActiveMQServers;
import org.apache.activemq.artemis.core.server.Queue;

/**
 * A stand-in for the archive node's broker: a plain embedded Artemis with the anycast queue
 * {@code archive.records} on a TCP port, read back with a core consumer.
 */
final class TestArchiveBroker implements AutoCloseable {

    /** One message as the archive receives it. */
    record ArchivedMessage(byte type, byte[] body, String frontend, Long receivedAt, Integer recordCount, boolean durable) {
        List<ArchiveRecord> records() {
            try {
                ParsedBatch batch = new RecordParser().parseSequence(body, Instant.now());
                if (!batch.allValid()) {
                    throw new AssertionError("archived message holds invalid records: " + batch.errors());
                }
                return batch.records();
            } catch (MalformedBodyException e) {
                throw new AssertionError("archived message body is not a sequence of records: " + e.getMessage(), e);
            }
        }
    }

    private final ActiveMQServer server;
    private final String inVmUrl;
    private final int port;

    private TestArchiveBroker(ActiveMQServer server, String inVmUrl, int port) {
        this.server = server;
        this.inVmUrl = inVmUrl;
        this.port = port;
    }

    static TestArchiveBroker start(int port) throws Exception {
        return start(port, null);
    }

    /**
     * A broker whose journal (synced, like the archive node's) lives under {@code journalDir}, so that what it
     * acknowledged survives a crash and is there again when a broker starts on the same directory; a null
     * directory means no persistence.
     */
    static TestArchiveBroker start(int port, Path journalDir) throws Exception {
        String inVmUrl = "vm://" + InVmIds.next();
        ConfigurationImpl config = new ConfigurationImpl();
        config.setName("test-archive-" + port);
        if (journalDir == null) {
            config.setPersistenceEnabled(false);
        } else {
            Path dir = journalDir.toAbsolutePath();
            config.setPersistenceEnabled(true);
            config.setJournalDirectory(dir.resolve("journal").toString());
            config.setBindingsDirectory(dir.resolve("bindings").toString());
            config.setPagingDirectory(dir.resolve("paging").toString());
            config.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
            config.setNodeManagerLockDirectory(dir.resolve("journal").toString());
            config.setJournalSyncTransactional(true);
            config.setJournalSyncNonTransactional(true);
        }
        config.setSecurityEnabled(false);
        config.setJMXManagementEnabled(false);
        config.setCriticalAnalyzer(false);
        config.setMaxDiskUsage(-1);
        config.addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port + "?protocols=CORE");
        config.addAcceptorConfiguration("in-vm", inVmUrl);
        config.addAddressConfiguration(new CoreAddressConfiguration()
                .setName(SpoolFormat.ARCHIVE)
                .addRoutingType(RoutingType.ANYCAST)
                .addQueueConfiguration(QueueConfiguration.of(SpoolFormat.ARCHIVE)
                        .setAddress(SpoolFormat.ARCHIVE)
                        .setRoutingType(RoutingType.ANYCAST)
                        .setDurable(true)));
        ActiveMQServer server = ActiveMQServers.newActiveMQServer(config);
        server.start();
        if (server.getRemotingService().getAcceptor("tcp") == null || !server.getRemotingService().getAcceptor("tcp").isStarted()) {
            server.stop();
            throw new IllegalStateException("test archive broker could not listen on port " + port);
        }
        return new TestArchiveBroker(server, inVmUrl, port);
    }

    int port() {
        return port;
    }

    /** Messages in archive.records not consumed yet. */
    long messageCount() {
        Queue queue = server.locateQueue(SpoolFormat.ARCHIVE);
        return queue == null ? 0 : queue.getMessageCount();
    }

    /** Every message of archive.records, consumed. */
    List<ArchivedMessage> takeAll() throws Exception {
        return takeAll(inVmUrl);
    }

    /** Every message of archive.records on the broker at {@code url} (e.g. tcp://127.0.0.1:port), consumed. */
    static List<ArchivedMessage> takeAll(String url) throws Exception {
        List<ArchivedMessage> messages = new ArrayList<>();
        try (ServerLocator locator = ActiveMQClient.createServerLocator(url);
             ClientSessionFactory factory = locator.createSessionFactory();
             ClientSession session = factory.createSession(true, true, 0)) {
            session.start();
            try (ClientConsumer consumer = session.createConsumer(SpoolFormat.ARCHIVE)) {
                ClientMessage message;
                while ((message = consumer.receive(300)) != null) {
                    byte[] body = new byte[message.getBodySize()];
                    message.getBodyBuffer().readBytes(body);
                    messages.add(new ArchivedMessage(message.getType(), body,
                            message.getStringProperty(SpoolFormat.FRONTEND),
                            message.containsProperty(SpoolFormat.RECEIVED_AT) ? message.getLongProperty(SpoolFormat.RECEIVED_AT) : null,
                            message.containsProperty(SpoolFormat.RECORD_COUNT) ? message.getIntProperty(SpoolFormat.RECORD_COUNT) : null,
                            message.isDurable()));
                    message.acknowledge();
                }
            }
        }
        return messages;
    }

    /** Every record of every message of archive.records, consumed. */
    List<ArchiveRecord> takeAllRecords() throws Exception {
        List<ArchiveRecord> records = new ArrayList<>();
        for (ArchivedMessage message : takeAll()) {
            records.addAll(message.records());
        }
        return records;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("test archive broker did not stop: " + e.getMessage(), e);
        }
    }
}
