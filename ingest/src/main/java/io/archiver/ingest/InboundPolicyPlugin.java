package io.archiver.ingest;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.MalformedBodyException;
import io.archiver.core.record.ParsedBatch;
import io.archiver.core.record.RecordParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.IntConsumer;
import org.apache.activemq.artemis.api.core.ActiveMQBuffer;
import org.apache.activemq.artemis.api.core.ICoreMessage;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnection;
import org.apache.activemq.artemis.core.server.RoutingContext;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerMessagePlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link ArchivingPolicies} to records that AMQP 1.0 and core senders put straight into
 * {@code archive.inbound} (the HTTP endpoint applies them itself before spooling). A message whose records
 * the policies all exclude is dropped: the sender sees a normal acceptance (as an HTTP sender sees 202),
 * nothing is journalled, nothing is forwarded, and its records are counted in
 * {@code archiver_records_skipped_policy_total}.
 * <p>
 * Two hooks, because neither alone has both what it takes: {@link #beforeSend} knows the session, so it
 * can tell an outside sender (TCP acceptor) from this JVM's own {@link SpoolWriter} (in-VM, already
 * filtered, never parsed again), reads the record and marks an excluded message with {@link #SKIP};
 * {@link #beforeMessageRoute} runs after the broker computed the message's queues and before it stores it,
 * and empties the routing of a marked message, so it is stored nowhere. A marker an outside sender set
 * itself is removed. A message that cannot be read as valid records (or a large message) is left alone:
 * the archive node validates it and dead-letters it as before; when in doubt, a record is archived.
 * <p>
 * Registered only when some policy excludes something ({@link ArchivingPolicies#archivesEverything()} false).
 */
final class InboundPolicyPlugin implements ActiveMQServerMessagePlugin {

    private static final Logger log = LoggerFactory.getLogger(InboundPolicyPlugin.class);

    /** The marker property; never stored (a marked message is dropped, a forged marker is removed). */
    static final SimpleString SKIP = SimpleString.of("archiverPolicySkip");

    private final ArchivingPolicies policies;
    private final IntConsumer skipped;
    private final RecordParser parser = new RecordParser();

    /**
     * @param policies what to archive
     * @param skipped  told how many records each dropped message held
     */
    InboundPolicyPlugin(ArchivingPolicies policies, IntConsumer skipped) {
        this.policies = policies;
        this.skipped = skipped;
    }

    @Override
    public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct, boolean noAutoCreateQueue) {
        if (!DurableInboundPlugin.isInbound(message.getAddressSimpleString()) || inVm(session)) {
            return;
        }
        boolean forged = message.containsProperty(SKIP);
        int excluded = excludedRecords(message);
        if (excluded > 0) {
            message.putIntProperty(SKIP, excluded);
        } else if (forged) {
            message.removeProperty(SKIP);
            message.reencode();
        }
    }

    @Override
    public void beforeMessageRoute(Message message, RoutingContext context, boolean direct, boolean rejectDuplicates) {
        if (!message.containsProperty(SKIP) || !DurableInboundPlugin.isInbound(message.getAddressSimpleString())) {
            return;
        }
        int records = message.getObjectProperty(SKIP) instanceof Number n ? n.intValue() : 1;
        context.clear();
        context.setReusable(false);
        skipped.accept(records);
        log.debug("dropped a message of {} record(s) at {}: the archiving policies exclude it", records, message.getAddress());
    }

    /** How many records of the message the policies exclude when they exclude all of them, else 0. */
    private int excludedRecords(Message message) {
        if (message.isLargeMessage()) {
            return 0;
        }
        byte[] body = body(message);
        if (body == null) {
            return 0;
        }
        ParsedBatch batch;
        try {
            batch = parser.parseSequence(body, Instant.now());
        } catch (MalformedBodyException | RuntimeException e) {
            return 0;
        }
        if (!batch.allValid() || batch.records().isEmpty()) {
            return 0;
        }
        for (ArchiveRecord record : batch.records()) {
            if (policies.archives(record)) {
                return 0;
            }
        }
        return batch.records().size();
    }

    /** The UTF-8 JSON of a bytes or text message, whatever protocol sent it; null for other bodies. */
    private static byte[] body(Message message) {
        try {
            ICoreMessage core = message.toCore();
            ActiveMQBuffer buffer = core.getReadOnlyBodyBuffer();
            if (core.getType() == Message.TEXT_TYPE) {
                SimpleString text = buffer.readNullableSimpleString();
                return text == null ? null : text.toString().getBytes(StandardCharsets.UTF_8);
            }
            if (core.getType() == Message.BYTES_TYPE || core.getType() == Message.DEFAULT_TYPE) {
                byte[] bytes = new byte[buffer.readableBytes()];
                buffer.readBytes(bytes);
                return bytes;
            }
            return null;
        } catch (RuntimeException e) {
            log.debug("cannot read the body of a message at {}", message.getAddress(), e);
            return null;
        }
    }

    private static boolean inVm(ServerSession session) {
        RemotingConnection connection = session == null ? null : session.getRemotingConnection();
        return connection == null || connection.getTransportConnection() instanceof InVMConnection;
    }
}
