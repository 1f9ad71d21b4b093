package io.archiver.ingest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the spool's bridge is connected to an archive broker, and since when it has not been.
 * <p>
 * It polls the bridge's own state ({@link SpoolBroker#bridgeConnected()}) a few times a second rather than
 * probing the archive with a separate connection: the bridge's session is what actually drains the spool,
 * so it is the ground truth (a probe could succeed while the bridge is still backing off, or try a
 * different broker of the list), it costs the archive no extra connections, and it sees a lost broker as
 * soon as the bridge does (at once for a closed connection, within the bridge's failure-check period for
 * a silent one). Critical mode, readiness and the {@code archiver_archive_reachable} gauge read it.
 */
public final class ArchiveLink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ArchiveLink.class);
    static final Duration POLL_EVERY = Duration.ofMillis(200);

    private final BooleanSupplier connected;
    private final Clock clock;
    private final ScheduledExecutorService poller;
    private volatile Instant unreachableSince;
    private volatile boolean everConnected;

    private ArchiveLink(BooleanSupplier connected, Clock clock) {
        this.connected = connected;
        this.clock = clock;
        this.unreachableSince = clock.instant();
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "archive-link");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts polling; until the bridge first connects the archive counts as unreachable since now. */
    public static ArchiveLink start(BooleanSupplier connected) {
        return start(connected, Clock.systemUTC());
    }

    static ArchiveLink start(BooleanSupplier connected, Clock clock) {
        ArchiveLink link = new ArchiveLink(connected, clock);
        link.poll();
        link.poller.scheduleWithFixedDelay(link::poll, POLL_EVERY.toMillis(), POLL_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return link;
    }

    void poll() {
        boolean up;
        try {
            up = connected.getAsBoolean();
        } catch (RuntimeException e) {
            up = false;
        }
        Instant since = unreachableSince;
        if (up && since != null) {
            unreachableSince = null;
            if (everConnected) {
                log.info("the archive is reachable again after {}s", Duration.between(since, clock.instant()).toSeconds());
            } else {
                log.info("connected to the archive");
            }
            everConnected = true;
        } else if (!up && since == null) {
            unreachableSince = clock.instant();
            log.warn("lost the connection to the archive; records stay in the spool until it is back");
        }
    }

    public boolean reachable() {
        return unreachableSince == null;
    }

    /** When the archive became unreachable (or the front-end started without reaching it); empty while reachable. */
    public Optional<Instant> unreachableSince() {
        return Optional.ofNullable(unreachableSince);
    }

    /** How long the archive has been unreachable; zero while reachable. */
    public Duration unreachableFor() {
        Instant since = unreachableSince;
        return since == null ? Duration.ZERO : Duration.between(since, clock.instant());
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
