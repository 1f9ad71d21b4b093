package io.archiver.ingest;

import io.archiver.core.spool.SpoolFormat;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.activemq.artemis.api.core.ICoreMessage;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.message.impl.CoreMessage;
import org.apache.activemq.artemis.core.server.transformer.Transformer;

/**
 * Runs in the spool's core bridge on every message on its way to the archive. Messages spooled by the
 * HTTP endpoint already say which front-end received them and when; records that AMQP 1.0 or core
 * senders put straight into {@code archive.inbound} do not, so this stamps {@link SpoolFormat#FRONTEND}
 * and {@link SpoolFormat#RECEIVED_AT} (the broker's ingress time, else the message timestamp) on them.
 * <p>
 * It also gives the archive one uniform message shape, whatever protocol delivered it: a durable core
 * BYTES message whose body is the UTF-8 JSON, with no expiration (an AMQP TTL must not make a record
 * expire on the archive broker). A text body (AMQP string value, core/JMS text message) is rewritten
 * as bytes; the bridge's duplicate-detection id and every other property are kept.
 * <p>
 * Artemis instantiates it by class name; the front-end's name comes in the property {@link #FRONTEND_NAME}.
 */
public final class FrontendStampTransformer implements Transformer {

    /** Transformer property: the name stamped in {@link SpoolFormat#FRONTEND}. */
    public static final String FRONTEND_NAME = "frontendName";

    private static final SimpleString FRONTEND = SimpleString.of(SpoolFormat.FRONTEND);
    private static final SimpleString RECEIVED_AT = SimpleString.of(SpoolFormat.RECEIVED_AT);

    private volatile String frontendName = "unknown";

    @Override
    public void init(Map<String, String> properties) {
        String name = properties == null ? null : properties.get(FRONTEND_NAME);
        if (name != null && !name.isBlank()) {
            frontendName = name;
        }
    }

    @Override
    public Message transform(Message message) {
        long receivedAt = receivedAt(message);
        Message out = message;
        if (!message.isLargeMessage()) {
            ICoreMessage core = message.toCore();
            out = core.getType() == Message.TEXT_TYPE ? asBytes(core) : core;
        }
        if (!out.containsProperty(FRONTEND)) {
            out.putStringProperty(FRONTEND, SimpleString.of(frontendName));
        }
        if (!out.containsProperty(RECEIVED_AT)) {
            out.putLongProperty(RECEIVED_AT, receivedAt);
        }
        out.setDurable(true);
        out.setExpiration(0);
        out.messageChanged();
        return out;
    }

    private static long receivedAt(Message message) {
        Long ingress = message.getIngressTimestamp();
        if (ingress != null && ingress > 0) {
            return ingress;
        }
        return message.getTimestamp() > 0 ? message.getTimestamp() : System.currentTimeMillis();
    }

    /** The same message with its text body as UTF-8 bytes, every header and property kept. */
    private static ICoreMessage asBytes(ICoreMessage text) {
        SimpleString body = text.getReadOnlyBodyBuffer().readNullableSimpleString();
        byte[] bytes = body == null ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
        CoreMessage out = new CoreMessage(text.getMessageID(), bytes.length + 512);
        out.setType(Message.BYTES_TYPE);
        out.setAddress(text.getAddressSimpleString());
        out.setRoutingType(text.getRoutingType());
        out.setDurable(text.isDurable());
        out.setPriority(text.getPriority());
        out.setTimestamp(text.getTimestamp());
        out.setUserID(text.getUserID());
        for (SimpleString name : text.getPropertyNames()) {
            out.putObjectProperty(name, text.getObjectProperty(name));
        }
        out.getBodyBuffer().writeBytes(bytes);
        return out;
    }
}
