package io.archiver.ingest;

import io.archiver.core.spool.SpoolFormat;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;

/**
 * Makes every message sent to {@code archive.inbound} durable. AMQP 1.0 messages are non-durable unless
 * the sender sets the header, and a non-durable message would sit in the spool's memory only and vanish
 * with the process; once it is durable the broker settles the AMQP delivery (or answers the core send)
 * only after the journal write, so an acknowledged record survives a crash of the front-end.
 */
final class DurableInboundPlugin implements ActiveMQServerMessagePlugin {

    private static final SimpleString INBOUND = SimpleString.of(SpoolFormat.INBOUND);

    @Override
    public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct, boolean noAutoCreateQueue) {
        if (!message.isDurable() && isInbound(message.getAddressSimpleString())) {
            message.setDurable(true);
            message.reencode();
        }
    }

    /** {@code archive.inbound}, also as a fully qualified queue name {@code archive.inbound::archive.inbound}. */
    static boolean isInbound(SimpleString address) {
        return address != null && (address.equals(INBOUND) || address.toString().startsWith(SpoolFormat.INBOUND + "::"));
    }
}
