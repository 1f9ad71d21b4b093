package io.archiver.ingest;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.spool.SpoolFormat;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a request's records into {@code archive.inbound} all or nothing: every message of the batch is
 * sent in one core transaction and committed once, and the commit returns only after the spool's journal
 * is synced, so the records survive a {@code kill -9} right after {@link #spool} returns.
 * <p>
 * Artemis client sessions are not thread-safe, so concurrent HTTP requests each borrow a session from a
 * small pool (at most {@code sessions} at a time); a session that failed is thrown away, not reused.
 */
public final class SpoolWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SpoolWriter.class);
    private static final SimpleString FRONTEND = SimpleString.of(SpoolFormat.FRONTEND);
    private static final SimpleString RECEIVED_AT = SimpleString.of(SpoolFormat.RECEIVED_AT);
    private static final SimpleString RECORD_COUNT = SimpleString.of(SpoolFormat.RECORD_COUNT);
    private static final long BORROW_TIMEOUT_SECONDS = 30;

    /** A session with its producer; used by one thread at a time. */
    private record PooledSession(ClientSession session, ClientProducer producer) {
        void closeQuietly() {
            try {
                session.close();
            } catch (ActiveMQException | RuntimeException e) {
                log.debug("closing a spool session", e);
            }
        }
    }

    private final ServerLocator locator;
    private final ClientSessionFactory factory;
    private final SimpleString frontend;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<PooledSession> idle = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /**
     * @param inVmUrl  the spool broker's in-VM acceptor ({@link SpoolBroker#inVmUrl()})
     * @param frontend the name stamped on every message
     * @param sessions how many requests may write at the same time
     */
    public SpoolWriter(String inVmUrl, String frontend, int sessions) {
        try {
            this.locator = ActiveMQClient.createServerLocator(inVmUrl)
                    .setMinLargeMessageSize(SpoolFormat.MIN_LARGE_MESSAGE_BYTES)
                    .setBlockOnDurableSend(true)
                    .setBlockOnNonDurableSend(true)
                    .setReconnectAttempts(0);
            this.factory = locator.createSessionFactory();
        } catch (Exception e) {
            throw new IllegalStateException("cannot connect to the spool broker at " + inVmUrl + ": " + e.getMessage(), e);
        }
        this.frontend = SimpleString.of(frontend);
        this.permits = new Semaphore(sessions, true);
    }

    /** Serialises and spools {@code records}; see {@link #spool(SpoolBatch, Instant)}. */
    public void spool(List<ArchiveRecord> records, Instant receivedAt) throws SpoolWriteException {
        spool(SpoolBatch.of(records), receivedAt);
    }

    /** Sends every chunk of {@code batch} and commits once; on return the batch is durable, on exception none of it is spooled. */
    public void spool(SpoolBatch batch, Instant receivedAt) throws SpoolWriteException {
        if (batch.chunks().isEmpty()) {
            return;
        }
        acquire();
        PooledSession pooled = null;
        try {
            pooled = borrow();
            for (SpoolBatch.Chunk chunk : batch.chunks()) {
                ClientMessage message = pooled.session().createMessage(Message.BYTES_TYPE, true);
                message.getBodyBuffer().writeBytes(chunk.body());
                message.putStringProperty(FRONTEND, frontend);
                message.putLongProperty(RECEIVED_AT, receivedAt.toEpochMilli());
                message.putIntProperty(RECORD_COUNT, chunk.records());
                pooled.producer().send(message);
            }
            pooled.session().commit();
            idle.add(pooled);
            pooled = null;
        } catch (ActiveMQException | RuntimeException e) {
            throw new SpoolWriteException("the spool did not take " + batch.records() + " record(s): " + e.getMessage(), e);
        } finally {
            if (pooled != null) {
                rollbackQuietly(pooled);
                pooled.closeQuietly();
            }
            permits.release();
        }
    }

    private void acquire() throws SpoolWriteException {
        try {
            if (!permits.tryAcquire(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new SpoolWriteException("the spool is busy: no session free after " + BORROW_TIMEOUT_SECONDS + "s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpoolWriteException("interrupted while waiting for a spool session", e);
        }
    }

    private PooledSession borrow() throws ActiveMQException {
        if (closed) {
            throw new IllegalStateException("the spool writer is closed");
        }
        PooledSession pooled = idle.poll();
        if (pooled != null && !pooled.session().isClosed()) {
            return pooled;
        }
        ClientSession session = factory.createSession(false, false, false);
        try {
            return new PooledSession(session, session.createProducer(SpoolFormat.INBOUND));
        } catch (ActiveMQException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static void rollbackQuietly(PooledSession pooled) {
        try {
            if (!pooled.session().isClosed()) {
                pooled.session().rollback();
            }
        } catch (ActiveMQException | RuntimeException e) {
            log.debug("rolling back a failed spool transaction", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        PooledSession pooled;
        while ((pooled = idle.poll()) != null) {
            pooled.closeQuietly();
        }
        factory.close();
        locator.close();
    }
}
