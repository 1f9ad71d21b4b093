package io.archiver.store;

import io.archiver.core.spool.SpoolFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the archive broker's queue into PostgreSQL. Each writer thread has its own core session over
 * in-VM with transacted acknowledgements; it gathers messages until {@code store.batchRecords}
 * records or {@code store.batchLinger} has passed, writes them with {@link ArchiveWriter} in one
 * database transaction, and acknowledges and commits the messages only after the database commit.
 * A crash anywhere in between means redelivery, and the writer's idempotence turns that into exactly
 * one row per record.
 *
 * <p>When the database is unavailable the batch stays unacknowledged in the thread's hands and the
 * write is retried with a back-off (200 ms doubling to 1 s) for as long as it takes: nothing is
 * dropped, nothing is redelivered to a dead-letter address, and the broker keeps the rest journalled.
 * The back-off stops at 1 s because the usual outage is a failover: the sooner a writer tries the
 * new primary, the sooner writes resume (a retry costs one failed connection attempt).
 *
 * <p>Settings ({@link ConsumerSettings}, keys in {@link StoreKeys}): {@code store.writers} (2),
 * {@code store.batchRecords} (5000), {@code store.batchLinger} (20ms).
 */
public final class ArchivingConsumer implements AutoCloseable {

    public static final int DEFAULT_WRITERS = 2;
    public static final int DEFAULT_BATCH_RECORDS = 5000;
    public static final Duration DEFAULT_BATCH_LINGER = Duration.ofMillis(20);
    public static final int CONSUMER_WINDOW_BYTES = 4 * 1024 * 1024;
    static final long FIRST_BACKOFF_MILLIS = 200;
    static final long MAX_BACKOFF_MILLIS = 1_000;
    private static final long POLL_MILLIS = 200;

    private static final Logger log = LoggerFactory.getLogger(ArchivingConsumer.class);

    private final ArchiveBroker broker;
    private final ArchiveWriter writer;
    private final int batchRecords;
    private final long lingerNanos;
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean closed;

    private final Counter archived;
    private final Counter duplicates;
    private final Counter conflicts;
    private final Counter deadLetters;
    private final Counter retries;
    private final Timer batchWrites;

    private ArchivingConsumer(ArchiveBroker broker, ArchiveWriter writer, ConsumerSettings settings, MeterRegistry registry) {
        this.broker = broker;
        this.writer = writer;
        this.batchRecords = settings.batchRecords();
        this.lingerNanos = settings.batchLinger().toNanos();
        this.archived = Counter.builder("archiver.records.archived").description("records newly archived").register(registry);
        this.duplicates = Counter.builder("archiver.records.duplicate").description("records already archived with the same content").register(registry);
        this.conflicts = Counter.builder("archiver.conflicts").description("records whose id was archived with other content").register(registry);
        this.deadLetters = Counter.builder("archiver.dead.letters").description("records and messages written to archive.dead_letters").register(registry);
        this.retries = Counter.builder("archiver.write.retries").description("batch writes retried after a database error").register(registry);
        this.batchWrites = Timer.builder("archiver.batch.write").description("one batch written to the archive database").register(registry);
    }

    /** Starts {@code store.writers} threads consuming {@value SpoolFormat#ARCHIVE} from the broker. */
    public static ArchivingConsumer start(ArchiveBroker broker, ArchiveWriter writer, ConsumerSettings settings, MeterRegistry registry) {
        ArchivingConsumer consumer = new ArchivingConsumer(broker, writer, settings, registry);
        int writers = settings.writers();
        for (int i = 1; i <= writers; i++) {
            Thread thread = new Thread(consumer::run, "archive-writer-" + i);
            thread.setDaemon(false);
            consumer.threads.add(thread);
        }
        consumer.threads.forEach(Thread::start);
        log.info("archiving consumer started: {} writer thread(s), batches of up to {} records / {} ms", writers,
                consumer.batchRecords, TimeUnit.NANOSECONDS.toMillis(consumer.lingerNanos));
        return consumer;
    }

    /**
     * Stops the threads: a batch being written finishes (and is acknowledged) or, if the database
     * does not take it, is left unacknowledged for the broker to redeliver later.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closing.countDown();
        for (Thread thread : threads) {
            try {
                thread.join(30_000);
                if (thread.isAlive()) {
                    log.warn("{} did not stop within 30s; interrupting it", thread.getName());
                    thread.interrupt();
                    thread.join(5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void run() {
        MessageReader reader = new MessageReader();
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!closed) {
            try (Connected connected = connect()) {
                backoff = FIRST_BACKOFF_MILLIS;
                consume(connected, reader);
            } catch (ActiveMQException | RuntimeException e) {
                if (closed) {
                    break;
                }
                log.warn("archive consumer lost its broker session ({}); reconnecting in {} ms", e.getMessage(), backoff);
                pause(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private void consume(Connected connected, MessageReader reader) throws ActiveMQException {
        List<ClientMessage> messages = new ArrayList<>();
        List<Incoming> records = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        while (!closed) {
            messages.clear();
            records.clear();
            rejections.clear();
            ClientMessage first = connected.consumer.receive(POLL_MILLIS);
            if (first == null) {
                continue;
            }
            add(first, reader, messages, records, rejections);
            long deadline = System.nanoTime() + lingerNanos;
            while (records.size() + rejections.size() < batchRecords && !closed) {
                long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                ClientMessage next = remaining > 0 ? connected.consumer.receive(remaining) : connected.consumer.receiveImmediate();
                if (next == null) {
                    break;
                }
                add(next, reader, messages, records, rejections);
            }
            WriteResult result = writeUntilDone(records, rejections);
            if (result == null) {
                return; // closing with the batch unwritten: unacknowledged, the broker keeps it
            }
            for (ClientMessage message : messages) {
                message.acknowledge();
            }
            connected.session.commit();
            archived.increment(result.inserted());
            duplicates.increment(result.duplicates());
            conflicts.increment(result.conflicts());
            deadLetters.increment(result.deadLettered());
        }
    }

    private static void add(ClientMessage message, MessageReader reader, List<ClientMessage> messages,
                            List<Incoming> records, List<Rejection> rejections) {
        messages.add(message);
        MessageReader.Content content = reader.read(message);
        records.addAll(content.records());
        rejections.addAll(content.rejections());
    }

    /** The write's result, or null when the consumer closed before the database took the batch. */
    private WriteResult writeUntilDone(List<Incoming> records, List<Rejection> rejections) {
        long backoff = FIRST_BACKOFF_MILLIS;
        int attempt = 0;
        while (true) {
            attempt++;
            long start = System.nanoTime();
            try {
                WriteResult result = writer.write(records, rejections);
                batchWrites.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                if (attempt > 1) {
                    log.info("archive database took the batch of {} after {} attempts", records.size() + rejections.size(), attempt);
                }
                return result;
            } catch (ArchiveWriteException e) {
                if (closed) {
                    log.info("closing with a batch of {} unwritten; the broker keeps it", records.size() + rejections.size());
                    return null;
                }
                retries.increment();
                if (e.isTransient()) {
                    log.warn("archive database unavailable ({}); keeping the batch and retrying in {} ms", e.getMessage(), backoff);
                } else {
                    log.error("archive database refused the batch ({}); keeping the batch and retrying in {} ms", e.getMessage(), backoff, e);
                }
                pause(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private void pause(long millis) {
        try {
            closing.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private Connected connect() throws ActiveMQException {
        ServerLocator locator = broker.inVmLocator()
                .setConsumerWindowSize(CONSUMER_WINDOW_BYTES)
                .setMinLargeMessageSize(SpoolFormat.MIN_LARGE_MESSAGE_BYTES)
                .setReconnectAttempts(0);
        try {
            ClientSessionFactory factory = locator.createSessionFactory();
            ClientSession session = factory.createSession(false, true, false);
            ClientConsumer consumer = session.createConsumer(SpoolFormat.ARCHIVE);
            session.start();
            return new Connected(locator, factory, session, consumer);
        } catch (ActiveMQException e) {
            locator.close();
            throw e;
        } catch (Exception e) {
            locator.close();
            throw new IllegalStateException("cannot open a session on the archive broker: " + e.getMessage(), e);
        }
    }

    /** One thread's broker resources, closed together. */
    private record Connected(ServerLocator locator, ClientSessionFactory factory, ClientSession session,
                             ClientConsumer consumer) implements AutoCloseable {
        @Override
        public void close() {
            try {
                session.close();
            } catch (ActiveMQException | RuntimeException e) {
                log.debug("closing the consumer session failed", e);
            }
            factory.close();
            locator.close();
        }
    }
}
