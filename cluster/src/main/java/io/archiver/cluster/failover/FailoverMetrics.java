package io.archiver.cluster.failover;

import io.archiver.cluster.failover.HostState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** What the watcher saw at its last check, and what it did, as Prometheus metrics. */
final class FailoverMetrics {

    private final AtomicLong primaryUp = new AtomicLong();
    private final AtomicLong standbysStreaming = new AtomicLong();
    private final AtomicLong synchronous = new AtomicLong();
    private final AtomicLong lagBytes = new AtomicLong();
    private final AtomicLong lastTakeoverMillis = new AtomicLong(-1);
    private final Counter failovers;
    private final Counter fenced;

    FailoverMetrics(MeterRegistry registry) {
        Gauge.builder("archiver.db.primary.up", primaryUp, AtomicLong::get)
                .description("1 when the last check found a primary taking writes").register(registry);
        Gauge.builder("archiver.db.standbys.streaming", standbysStreaming, AtomicLong::get)
                .description("standbys streaming from the primary at the last check").register(registry);
        Gauge.builder("archiver.db.synchronous", synchronous, AtomicLong::get)
                .description("1 when the primary's commits wait for a standby (synchronous_standby_names set)").register(registry);
        Gauge.builder("archiver.db.replication.lag.bytes", lagBytes, AtomicLong::get)
                .description("the largest replay lag of a standby behind the primary").baseUnit("bytes").register(registry);
        Gauge.builder("archiver.failover.last.takeover.seconds", lastTakeoverMillis, m -> m.get() < 0 ? Double.NaN : m.get() / 1000.0)
                .description("first missed check to promotion, of the last failover this node made").register(registry);
        failovers = Counter.builder("archiver.failovers").description("standbys this node promoted").register(registry);
        fenced = Counter.builder("archiver.db.fenced").description("old primaries this node fenced (made read-only)").register(registry);
    }

    void observed(List<HostState> states) {
        HostState primary = states.stream().filter(HostState::isWritablePrimary).findFirst().orElse(null);
        primaryUp.set(primary == null ? 0 : 1);
        if (primary != null) {
            standbysStreaming.set(primary.replicas().stream().filter(HostState.Replica::streaming).count());
            synchronous.set(primary.synchronousStandbyNames() == null || primary.synchronousStandbyNames().isBlank() ? 0 : 1);
            lagBytes.set(primary.replicas().stream().map(HostState.Replica::lagBytes).filter(l -> l != null)
                    .mapToLong(Long::longValue).max().orElse(0));
        }
    }

    void promoted(long takeoverMillis) {
        failovers.increment();
        lastTakeoverMillis.set(takeoverMillis);
    }

    void fenced() {
        fenced.increment();
    }
}
