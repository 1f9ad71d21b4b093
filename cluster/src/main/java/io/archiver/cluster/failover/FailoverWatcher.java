package io.archiver.cluster.failover;

import io.archiver.store.DatabaseSettings;
import io.archiver.store.DatabaseHosts.Host;
import io.micrometer.core.instrument.MeterRegistry;
import io.archiver.cluster.failover.FailoverLog;
import io.archiver.cluster.failover.HostProbe;
import io.archiver.cluster.failover.HostState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's view of the database cluster, advanced by {@link #check()} (the {@link FailoverWatchJob}
 * calls it every {@code failover.checkInterval}). Each check probes every server of {@code db.url}
 * on its own connection, then:
 *
 * <ul>
 *   <li><b>primary up</b>: remember it and whether its commits waited for a standby (synchronous);
 *       managed mode turns synchronous replication on while a standby streams and off after
 *       {@code failover.misses} checks with none (else every commit would hang);</li>
 *   <li><b>primary missed</b> {@code failover.misses} times in a row (managed mode): promote the standby
 *       that received the most WAL, provided the last check that saw the primary saw it synchronous
 *       (then every commit the archive acknowledged is on the standby), and record the failover, in
 *       the next term, on the new primary;</li>
 *   <li><b>two primaries</b> (an old primary came back): the one holding the highest term is the real
 *       one; managed mode fences the other (read-only by default, its sessions ended). Until then it
 *       cannot commit anything either: it still waits for a synchronous standby that now follows the
 *       new primary;</li>
 *   <li>external mode does none of that, only records a change of primary it sees (Patroni promoted).</li>
 * </ul>
 *
 * Not thread-safe: one job thread calls it.
 */
public final class FailoverWatcher {

    private static final Logger log = LoggerFactory.getLogger(FailoverWatcher.class);

    private final HostProbe probe;
    private final FailoverSettings settings;
    private final String nodeName;
    private final FailoverMetrics metrics;
    private final Clock clock;

    private Host primary;
    private boolean primaryWasSynchronous;
    private int misses;
    private Instant firstMiss;
    private int checksWithoutStandby;
    private boolean refusalLogged;

    /** The watcher of a node whose pool uses {@code database}'s {@code db.url}, {@code db.user} and {@code db.password}. */
    public static FailoverWatcher create(DatabaseSettings database, FailoverSettings settings, String nodeName, MeterRegistry registry) {
        return new FailoverWatcher(HostProbe.of(database, settings.probeTimeoutSeconds()), settings, nodeName, new FailoverMetrics(registry), Clock.systemUTC());
    }

    FailoverWatcher(HostProbe probe, FailoverSettings settings, String nodeName, FailoverMetrics metrics, Clock clock) {
        this.probe = probe;
        this.settings = settings;
        this.nodeName = nodeName;
        this.metrics = metrics;
        this.clock = clock;
    }

    public FailoverSettings settings() {
        return settings;
    }

    /** The primary of the last check that saw one (null before). */
    public Host primary() {
        return primary;
    }

    /** One check; never throws for a database error (a down server is what it is there to see). */
    public void check() {
        List<HostState> states = probe.probeAll();
        metrics.observed(states);
        List<HostState> writable = states.stream().filter(HostState::isWritablePrimary).toList();
        HostState current = writable.size() > 1 ? resolveTwoPrimaries(writable) : writable.stream().findFirst().orElse(null);
        if (current != null) {
            primaryUp(current);
        } else {
            primaryMissed(states);
        }
    }

    private void primaryUp(HostState current) {
        if (misses > 0) {
            log.info("database primary {} answers again after {} missed check(s)", current.host(), misses);
        }
        if (primary != null && !primary.equals(current.host()) && !settings.managed()) {
            recordExternalFailover(primary, current, firstMiss == null ? clock.instant() : firstMiss);
        }
        if (!current.host().equals(primary)) {
            log.info("database primary is {}", current.host());
        }
        primary = current.host();
        misses = 0;
        firstMiss = null;
        refusalLogged = false;
        List<HostState.Replica> standbys = current.replicas().stream().filter(FailoverWatcher::isStandby).toList();
        boolean synchronousOn = current.synchronousStandbyNames() != null && !current.synchronousStandbyNames().isBlank();
        if (settings.managed() && settings.synchronous()) {
            synchronousOn = manageSynchronousReplication(current, standbys, synchronousOn);
        }
        primaryWasSynchronous = synchronousOn && standbys.stream().anyMatch(r -> r.streaming() && r.synchronous());
    }

    /**
     * A replication connection of a standby, not of a base backup or WAL archiver in progress: those
     * stream too (and would match {@code *}), but never confirm a flush, and go away.
     */
    private static boolean isStandby(HostState.Replica replica) {
        return !"pg_basebackup".equals(replica.name()) && !"pg_receivewal".equals(replica.name());
    }

    /**
     * Commits wait for any one of the streaming standbys, named ({@code ANY 1 ("pg2")}): a name list
     * rather than {@code *}, which would also match a base backup in progress. Returns whether
     * synchronous replication is on after this check.
     */
    private boolean manageSynchronousReplication(HostState current, List<HostState.Replica> standbys, boolean synchronousOn) {
        List<String> streaming = standbys.stream().filter(HostState.Replica::streaming).map(HostState.Replica::name)
                .filter(name -> name != null && !name.isBlank()).distinct().sorted().toList();
        if (!streaming.isEmpty()) {
            checksWithoutStandby = 0;
            String wanted = "ANY 1 (" + String.join(", ", streaming.stream().map(FailoverWatcher::quoted).toList()) + ")";
            if (!wanted.equals(current.synchronousStandbyNames()) && setSynchronousStandbyNames(current.host(), wanted)) {
                if (!synchronousOn) {
                    log.info("standby {} streams from {}: synchronous replication on (each commit now waits for a standby)",
                            streaming, current.host());
                }
                return true;
            }
            return synchronousOn;
        }
        checksWithoutStandby++;
        if (synchronousOn && checksWithoutStandby >= settings.misses() && setSynchronousStandbyNames(current.host(), "")) {
            log.warn("no standby streams from {} for {} checks: synchronous replication off so that commits go on; "
                    + "until a standby streams again, losing the primary would lose its last commits", current.host(), checksWithoutStandby);
            return false;
        }
        return synchronousOn;
    }

    private static String quoted(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    private boolean setSynchronousStandbyNames(Host host, String names) {
        try (Connection connection = probe.connect(host); Statement statement = connection.createStatement()) {
            statement.execute("ALTER SYSTEM SET synchronous_standby_names = '" + names.replace("'", "''") + "'");
            statement.execute("SELECT pg_reload_conf()");
            return true;
        } catch (SQLException e) {
            log.warn("cannot set synchronous_standby_names on {}: {}", host, e.getMessage());
            return false;
        }
    }

    private void primaryMissed(List<HostState> states) {
        misses++;
        if (firstMiss == null) {
            firstMiss = clock.instant();
        }
        String why = states.stream().filter(s -> primary != null && s.host().equals(primary)).findFirst()
                .map(s -> s.isDown() ? s.error() : "it is " + s.toMap().get("role")).orElse("no server is primary");
        if (primary == null) {
            if (!refusalLogged) {
                log.warn("no database primary answers ({}); none was seen by this node before, so it will not promote a standby", why);
                refusalLogged = true;
            }
            return;
        }
        log.warn("database primary {} missed check {} of {}: {}", primary, misses, settings.misses(), why);
        if (!settings.managed() || misses < settings.misses()) {
            return;
        }
        if (settings.synchronous() && !primaryWasSynchronous) {
            if (!refusalLogged) {
                log.error("not promoting a standby: when {} was last seen no standby was synchronous, so the standby may lack "
                        + "commits the archive acknowledged; promote one by hand (SELECT pg_promote()) once you accept that", primary);
                refusalLogged = true;
            }
            return;
        }
        Optional<HostState> candidate = states.stream().filter(HostState::isStandby)
                .max(Comparator.comparing(s -> s.receivedLsn() == null ? -1L : s.receivedLsn()));
        if (candidate.isEmpty()) {
            if (!refusalLogged) {
                log.error("database primary {} is gone and no standby answers: nothing to promote; the archive keeps its "
                        + "records in the broker until a primary is back", primary);
                refusalLogged = true;
            }
            return;
        }
        promote(candidate.get().host());
    }

    private void promote(Host standby) {
        Host old = primary;
        Instant detected = firstMiss;
        try (Connection connection = probe.connect(standby); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout((int) settings.promoteTimeout().toSeconds() + 5);
            log.warn("promoting standby {}: primary {} missed {} checks since {}", standby, old, misses, detected);
            try (ResultSet rs = statement.executeQuery("SELECT pg_promote(true, " + settings.promoteTimeout().toSeconds() + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    log.error("standby {} did not finish its promotion within {}", standby, settings.promoteTimeout());
                    return;
                }
            }
        } catch (SQLException e) {
            log.error("promoting standby {} failed: {}", standby, e.getMessage());
            return;
        }
        Instant promoted = clock.instant();
        try (Connection connection = probe.connect(standby); Statement statement = connection.createStatement()) {
            // Its configuration was copied from the old primary: commits must not wait for a standby it does
            // not have yet (the check turns synchronous replication back on once one streams), and it must
            // take writes even if the old primary had been fenced once.
            statement.execute("ALTER SYSTEM SET synchronous_standby_names = ''");
            statement.execute("ALTER SYSTEM RESET default_transaction_read_only");
            statement.execute("SELECT pg_reload_conf()");
            long term = FailoverLog.record(connection, settings.mode().key(), old.toString(), standby.toString(), detected, promoted,
                    nodeName, misses, null);
            metrics.promoted(Duration.between(detected, promoted).toMillis());
            log.warn("failover done: {} is the primary (term {}), {} after the first missed check", standby, term,
                    Duration.between(detected, promoted));
        } catch (SQLException e) {
            log.error("standby {} is promoted but the failover could not be recorded: {}", standby, e.getMessage());
        }
        primary = standby;
        primaryWasSynchronous = false;
        misses = 0;
        firstMiss = null;
        checksWithoutStandby = 0;
    }

    /** Keeps the primary with the highest term (ties: the one this node saw last); fences the others in managed mode. */
    private HostState resolveTwoPrimaries(List<HostState> writable) {
        HostState real = writable.stream().max(Comparator.comparingLong(HostState::term)
                .thenComparing(s -> s.host().equals(primary))).orElseThrow();
        for (HostState other : writable) {
            if (other == real) {
                continue;
            }
            if (!settings.managed()) {
                log.error("two database servers take writes: {} (term {}) and {} (term {}); failover.mode=external leaves "
                        + "fencing to the cluster manager", real.host(), real.term(), other.host(), other.term());
                continue;
            }
            fence(other.host(), real);
        }
        return real;
    }

    private void fence(Host stale, HostState real) {
        try (Connection connection = probe.connect(stale); Statement statement = connection.createStatement()) {
            statement.execute("ALTER SYSTEM SET default_transaction_read_only = on");
            statement.execute("SELECT pg_reload_conf()");
            // Sessions already open keep their own setting until they end: end them (the drivers' next
            // connections skip a read-only server under targetServerType=primary).
            statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    + "AND backend_type = 'client backend'");
            metrics.fenced();
            log.warn("fenced old primary {}: read-only, sessions ended; {} (term {}) is the primary", stale, real.host(), real.term());
        } catch (SQLException e) {
            log.error("cannot fence old primary {}: {}", stale, e.getMessage());
        }
    }

    private void recordExternalFailover(Host old, HostState current, Instant detected) {
        try (Connection connection = probe.connect(current.host())) {
            long term = FailoverLog.record(connection, settings.mode().key(), old.toString(), current.host().toString(), detected,
                    clock.instant(), nodeName, misses, null);
            log.warn("the database primary moved from {} to {} (promoted outside the archiver); recorded as term {}", old,
                    current.host(), term);
        } catch (SQLException e) {
            log.warn("the database primary moved from {} to {}; recording it failed: {}", old, current.host(), e.getMessage());
        }
    }
}
