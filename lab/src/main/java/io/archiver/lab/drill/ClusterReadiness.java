package io.archiver.lab.drill;

import io.archiver.cluster.failover.HostProbe;
import io.archiver.cluster.failover.HostState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Waits until a drill may kill the primary without losing anything by design: lab.json lists a live
 * primary and a standby, and the primary has a streaming <em>synchronous</em> standby (each commit waits
 * for it). The node's failover watcher refuses to promote a standby it did not last see synchronous, and
 * it turns synchronous replication on a check or two after a standby streams (the lab rebuilds one after
 * each failover), so the state must also hold for {@link #STABLE} before the drill goes on.
 */
final class ClusterReadiness {

    /** Two of the watcher's 1 s checks: it has seen the standby synchronous too. */
    static final Duration STABLE = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(250);

    /** A cluster ready for a drill, as lab.json and the probe saw it. */
    record Ready(LabFile lab, LabFile.Server primary, LabFile.Server standby, HostState primaryState) {
    }

    private final Path labFile;
    private final HostProbe probe;
    private final PrintStream progress;

    ClusterReadiness(Path labFile, HostProbe probe, PrintStream progress) {
        this.labFile = labFile;
        this.probe = probe;
        this.progress = progress;
    }

    /** The ready cluster, or empty after {@code timeout} (the last reason was printed). */
    Optional<Ready> await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastReason = null;
        long readySince = 0;
        while (true) {
            Result result = check();
            if (result.ready() != null) {
                if (readySince == 0) {
                    readySince = System.nanoTime();
                }
                if (System.nanoTime() - readySince >= STABLE.toNanos()) {
                    return Optional.of(result.ready());
                }
            } else {
                readySince = 0;
                if (!result.reason().equals(lastReason)) {
                    progress.println("failover-drill: waiting: " + result.reason());
                    lastReason = result.reason();
                }
            }
            if (System.nanoTime() > deadline) {
                progress.println("failover-drill: the cluster was not ready within " + timeout.toSeconds() + " s: "
                        + (result.reason() == null ? "it did not stay ready" : result.reason()));
                return Optional.empty();
            }
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        }
    }

    private record Result(Ready ready, String reason) {
    }

    private Result check() {
        LabFile lab;
        try {
            lab = LabFile.read(labFile);
        } catch (IOException e) {
            return new Result(null, "cannot read " + labFile + ": " + e.getMessage());
        }
        Optional<LabFile.Server> primary = lab.withRole("primary");
        Optional<LabFile.Server> standby = lab.withRole("standby");
        if (primary.isEmpty() || standby.isEmpty()) {
            return new Result(null, "lab.json does not list a primary and a standby yet (" + roles(lab) + ")");
        }
        if (!Postmaster.alive(primary.get().pid())) {
            return new Result(null, "the primary's postmaster " + primary.get().pid() + " in lab.json is not running");
        }
        List<HostState> states = probe.probeAll();
        Optional<HostState> writable = states.stream().filter(HostState::isWritablePrimary).findFirst();
        if (writable.isEmpty()) {
            return new Result(null, "no server takes writes yet");
        }
        HostState state = writable.get();
        if (state.host().port() != primary.get().port()) {
            return new Result(null, "lab.json names " + primary.get().describe() + " the primary but " + state.host() + " is");
        }
        if (state.replicas().stream().noneMatch(HostState.Replica::streaming)) {
            return new Result(null, "no standby streams from " + primary.get().describe());
        }
        if (state.synchronousStandbyNames() == null || state.synchronousStandbyNames().isBlank()
                || state.replicas().stream().noneMatch(r -> r.streaming() && r.synchronous())) {
            return new Result(null, "the standby of " + primary.get().describe() + " streams but is not synchronous yet "
                    + "(the archive node's failover watcher turns it on)");
        }
        return new Result(new Ready(lab, primary.get(), standby.get(), state), null);
    }

    private static String roles(LabFile lab) {
        return lab.postgres().isEmpty() ? "no servers"
                : String.join(", ", lab.postgres().stream().map(s -> s.name() + " " + s.role()).toList());
    }
}
