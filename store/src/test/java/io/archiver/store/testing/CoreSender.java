package io.archiver.store.testing;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.RecordJson;
import io.archiver.core.spool.SpoolFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;

/**
 * Sends to the archive broker over a real TCP core connection, as a front-end's bridge would:
 * durable messages, blocking on durable sends, large-message threshold as in {@link SpoolFormat}.
 */
public final class CoreSender implements AutoCloseable {

    private final ServerLocator locator;
    private final ClientSessionFactory factory;
    private final ClientSession session;
    private final ClientProducer producer;

    public CoreSender(int port) throws Exception {
        locator = ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + port)
                .setMinLargeMessageSize(SpoolFormat.MIN_LARGE_MESSAGE_BYTES)
                .setBlockOnDurableSend(true);
        factory = locator.createSessionFactory();
        session = factory.createSession();
        producer = session.createProducer(SpoolFormat.ARCHIVE);
    }

    /** Records as one BYTES message of NDJSON, with the delivery properties a front-end sets. */
    public void sendBatch(List<ArchiveRecord> records, String frontend, long receivedAtMillis) throws ActiveMQException {
        ClientMessage message = session.createMessage(Message.BYTES_TYPE, true);
        message.getBodyBuffer().writeBytes(RecordJson.toNdjson(records));
        message.putStringProperty(SpoolFormat.FRONTEND, frontend);
        message.putLongProperty(SpoolFormat.RECEIVED_AT, receivedAtMillis);
        message.putIntProperty(SpoolFormat.RECORD_COUNT, records.size());
        producer.send(message);
    }

    public void sendBytes(String body, Map<String, Object> properties) throws ActiveMQException {
        ClientMessage message = session.createMessage(Message.BYTES_TYPE, true);
        message.getBodyBuffer().writeBytes(body.getBytes(StandardCharsets.UTF_8));
        properties.forEach(message::putObjectProperty);
        producer.send(message);
    }

    /** A TEXT message as a JMS text message has it (nullable simple string body). */
    public void sendText(String body, Map<String, Object> properties) throws ActiveMQException {
        ClientMessage message = session.createMessage(Message.TEXT_TYPE, true);
        message.getBodyBuffer().writeNullableSimpleString(SimpleString.of(body));
        properties.forEach(message::putObjectProperty);
        producer.send(message);
    }

    @Override
    public void close() throws ActiveMQException {
        producer.close();
        session.close();
        factory.close();
        locator.close();
    }
}
