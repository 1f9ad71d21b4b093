package io.archiver.lab.drill;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.cluster.failover.Failover;
import io.archiver.cluster.failover.FailoverLog;
import io.archiver.core.text.Plural;
import io.archiver.lab.ImTrafficModel;
import io.archiver.lab.TrafficGenerator;
import io.archiver.store.DatabaseHosts;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * One drill: load through the front-ends, SIGKILL of the primary's postmaster, then wait for the archive
 * node to promote the standby (its row in archive.failovers) and for writes to resume, keep the load a
 * little longer, stop it, let the archive drain and compare accepted ids with archived ones.
 */
final class FailoverDrill {

    private static final Duration POLL = Duration.ofMillis(250);

    private final Path labFile;
    private final ClusterReadiness readiness;
    private final DataSource dataSource;
    private final DrillSettings settings;
    private final PrintStream progress;

    FailoverDrill(Path labFile, ClusterReadiness readiness, DataSource dataSource, DrillSettings settings, PrintStream progress) {
        this.labFile = labFile;
        this.readiness = readiness;
        this.dataSource = dataSource;
        this.settings = settings;
        this.progress = progress;
    }

    DrillResult run(int number, String runId) throws InterruptedException {
        DrillResult result = new DrillResult(number, runId);
        say(number, "waiting for a primary with a synchronous standby");
        Optional<ClusterReadiness.Ready> ready = readiness.await(DrillSettings.READY_TIMEOUT);
        if (ready.isEmpty()) {
            result.problem = "the cluster did not get a primary with a streaming synchronous standby within "
                    + DrillSettings.READY_TIMEOUT.toSeconds() + " s";
            return result;
        }
        LabFile lab = ready.get().lab();
        result.oldPrimary = ready.get().primary().describe();
        result.termBefore = ready.get().primaryState().term();
        result.startedAt = Instant.now();
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        TrafficGenerator load = new TrafficGenerator(new ImTrafficModel(runId, System.nanoTime(), 40), lab.frontends(),
                lab.ingestToken(), settings.rate()).onAccepted(accepted::addAll);
        say(number, "primary " + result.oldPrimary + ", standby " + ready.get().standby().describe() + ", term "
                + result.termBefore + "; loading " + Plural.of(lab.frontends().size(), "front-end") + " at " + settings.rate() + " records/s");
        load.start();
        try {
            sleep(settings.before());
            if (!killPrimary(result, ready.get())) {
                return result;
            }
            if (!awaitFailover(result, lab)) {
                return result;
            }
            Instant resumed = result.firstArchivedAt != null ? result.firstArchivedAt
                    : result.writesResumedAt != null ? result.writesResumedAt : Instant.now();
            say(number, "load goes on for " + settings.after().toSeconds() + " s after writes resumed");
            sleep(Duration.between(Instant.now(), resumed.plus(settings.after())));
        } finally {
            // waits for the batches in flight to be answered, so that every accepted id is known
            load.close();
            result.sent = load.sent();
            result.accepted = accepted.size();
            result.refused = load.refused();
        }
        drainAndCompare(result, accepted);
        return result;
    }

    /** SIGKILL of the primary's postmaster named in lab.json; false (with the problem set) when refused. */
    private boolean killPrimary(DrillResult result, ClusterReadiness.Ready ready) throws InterruptedException {
        LabFile lab;
        try {
            lab = LabFile.read(labFile);
        } catch (IOException e) {
            result.problem = "cannot read " + labFile + " before the kill: " + e.getMessage();
            return false;
        }
        Optional<LabFile.Server> primary = lab.withRole("primary").filter(s -> s.port() == ready.primary().port());
        if (primary.isEmpty()) {
            result.problem = "the primary changed during the load before the kill (lab.json: " + lab.postgres() + ")";
            return false;
        }
        Postmaster postmaster = new Postmaster(primary.get().pid());
        Optional<String> refusal = postmaster.refusal();
        if (refusal.isPresent()) {
            result.problem = "not killing: " + refusal.get();
            return false;
        }
        // the signal goes at once; kill() then waits for the postmaster and its backends to be gone
        result.killedAt = Instant.now();
        try {
            postmaster.kill();
        } catch (IllegalStateException e) {
            result.problem = e.getMessage();
            return false;
        }
        say(result.number, "SIGKILL to postmaster " + primary.get().pid() + " of " + result.oldPrimary + " at " + clock(result.killedAt));
        if (dataSource instanceof HikariDataSource pool && pool.getHikariPoolMXBean() != null) {
            // the pool's connections to the dead server are useless: drop them now rather than have each fail its check
            pool.getHikariPoolMXBean().softEvictConnections();
        }
        return true;
    }

    /**
     * Waits for the failover row of a term after the one before the kill, and for writes to resume both as the
     * archive stamped it and as the nodes' counters show it. False (problem set) when no failover came in time.
     */
    private boolean awaitFailover(DrillResult result, LabFile lab) throws InterruptedException {
        Instant failoverDeadline = result.killedAt.plus(DrillSettings.FAILOVER_TIMEOUT);
        Instant resumeDeadline = result.killedAt.plus(DrillSettings.RESUME_TIMEOUT);
        String lastError = null;
        try (NodeMetrics metrics = NodeMetrics.watchFromNow(lab.nodeUrls())) {
            Failover failover = null;
            while (true) {
                try {
                    failover = firstFailoverAfter(result.termBefore).orElse(null);
                } catch (SQLException e) {
                    lastError = e.getMessage(); // expected while no primary takes connections
                }
                if (result.firstArchivedAt == null && metrics.firstGrowth() != null) {
                    result.firstArchivedAt = metrics.firstGrowth();
                    say(result.number, "the archive nodes archive again, " + seconds(result.killToFirstArchived()) + " after the kill");
                }
                if (failover != null && result.term == null) {
                    record(result, failover, lab);
                    say(result.number, result.newPrimary + " promoted (term " + result.term + "), "
                            + seconds(result.killToPromoted()) + " after the kill");
                }
                if (failover != null && failover.writesResumedAt() != null) {
                    result.writesResumedAt = failover.writesResumedAt();
                }
                boolean done = result.term != null && result.writesResumedAt != null && result.firstArchivedAt != null;
                // the writer's stamp is retried for 30 s after its first batch: no need to wait for it longer
                boolean stampOverdue = result.term != null && result.firstArchivedAt != null
                        && Instant.now().isAfter(result.firstArchivedAt.plus(DrillSettings.STAMP_WAIT));
                if (done || stampOverdue || Instant.now().isAfter(result.term == null ? failoverDeadline : resumeDeadline)) {
                    break;
                }
                sleep(POLL);
            }
        }
        if (result.term == null) {
            result.problem = "no failover within " + DrillSettings.FAILOVER_TIMEOUT.toSeconds() + " s of the kill: archive.failovers has "
                    + "no term after " + result.termBefore + (lastError == null ? "" : " (last database error: " + lastError + ")")
                    + "; is failover.mode=managed set on the archive node?";
            return false;
        }
        if (result.writesResumedAt == null) {
            say(result.number, "archive.failovers has no writes_resumed_at for term " + result.term + " (promoted at "
                    + clock(result.promotedAt) + (result.firstArchivedAt == null ? ", and the nodes archived nothing since the kill)"
                    : "; the nodes archived again at " + clock(result.firstArchivedAt) + ")"));
        }
        return true;
    }

    private Optional<Failover> firstFailoverAfter(long termBefore) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            // a later drill's row cannot exist yet; several rows would mean repeated promotions, the first is ours
            List<Failover> recent = FailoverLog.recent(connection, 10);
            return recent.stream().filter(f -> f.term() > termBefore).min(Comparator.comparingLong(Failover::term));
        }
    }

    private static void record(DrillResult result, Failover failover, LabFile lab) {
        result.term = failover.term();
        result.detectedAt = failover.detectedAt();
        result.promotedAt = failover.promotedAt();
        result.newPrimary = describe(failover.newPrimary(), lab);
    }

    /** {@code host:port} of archive.failovers with the lab's server name. */
    private static String describe(String hostPort, LabFile lab) {
        try {
            DatabaseHosts.Host host = DatabaseHosts.parse("jdbc:postgresql://" + hostPort + "/x").hosts().get(0);
            return lab.onPort(host.port()).map(LabFile.Server::describe).orElse(hostPort);
        } catch (IllegalArgumentException e) {
            return hostPort;
        }
    }

    /** Waits until every accepted id is archived or the drain time-out passes, then compares. */
    private void drainAndCompare(DrillResult result, Set<String> accepted) throws InterruptedException {
        ArchiveCheck check = new ArchiveCheck(dataSource, result.runId + "-", result.startedAt);
        say(result.number, "load stopped: " + accepted.size() + " records accepted; waiting for the archive to hold them all");
        long started = System.nanoTime();
        long deadline = started + settings.drainTimeout().toNanos();
        ArchiveCheck.Comparison comparison = null;
        String lastError = null;
        while (true) {
            try {
                // the cheap count first; the full comparison only once it can be complete
                if (check.rows() >= accepted.size()) {
                    comparison = check.compare(accepted);
                    if (comparison.complete()) {
                        break;
                    }
                }
            } catch (SQLException e) {
                lastError = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            sleep(POLL);
        }
        result.drain = Duration.ofNanos(System.nanoTime() - started);
        if (comparison == null || !comparison.complete()) {
            try {
                comparison = check.compare(accepted);
            } catch (SQLException e) {
                result.problem = "cannot read archive.messages to compare: " + e.getMessage();
                return;
            }
        }
        result.drained = comparison.complete();
        result.archived = comparison.archived();
        result.lost = comparison.lost().size();
        result.doubled = comparison.doubled().size();
        result.archivedNotAccepted = comparison.archivedNotAccepted();
        result.lostIds = comparison.lost().stream().limit(DrillResult.SAMPLE).toList();
        result.doubledIds = comparison.doubled().stream().limit(DrillResult.SAMPLE).toList();
        if (!result.drained) {
            say(result.number, Plural.of(result.lost, "accepted record") + " not archived after the drain time-out of "
                    + settings.drainTimeout().toSeconds() + " s" + (lastError == null ? "" : " (last database error: " + lastError + ")"));
        }
    }

    private void say(int number, String message) {
        progress.println("failover-drill " + number + "/" + settings.drills() + ": " + message);
    }

    private static String seconds(Duration duration) {
        return duration == null ? "?" : String.format("%.1f s", duration.toMillis() / 1000.0);
    }

    private static String clock(Instant instant) {
        return LocalTime.ofInstant(instant, ZoneId.systemDefault()).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static void sleep(Duration duration) throws InterruptedException {
        if (!duration.isNegative() && !duration.isZero()) {
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        }
    }
}
