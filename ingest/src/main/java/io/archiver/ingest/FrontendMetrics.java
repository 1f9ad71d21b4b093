package io.archiver.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The front-end's own meters, on top of the JVM ones of the shared registry:
 * {@code archiver_records_accepted_total}, {@code archiver_requests_refused_total{status}},
 * {@code archiver_spool_depth}, {@code archiver_spool_bytes} and {@code archiver_archive_reachable}.
 */
public final class FrontendMetrics {

    private final PrometheusMeterRegistry registry;
    private final Counter accepted;

    public FrontendMetrics(PrometheusMeterRegistry registry, SpoolBroker broker, ArchiveLink link) {
        this.registry = registry;
        this.accepted = Counter.builder("archiver.records.accepted")
                .description("Records spooled and answered with 202")
                .register(registry);
        Gauge.builder("archiver.spool.depth", broker, SpoolBroker::depth)
                .description("Messages waiting in the spool queue archive.inbound")
                .register(registry);
        Gauge.builder("archiver.spool.bytes", broker, SpoolBroker::bytes)
                .description("Persistent size of the spool queue archive.inbound in bytes")
                .register(registry);
        Gauge.builder("archiver.archive.reachable", link, l -> l.reachable() ? 1 : 0)
                .description("1 while the spool's bridge is connected to an archive broker, else 0")
                .register(registry);
    }

    public void accepted(int records) {
        accepted.increment(records);
    }

    public void refused(int status) {
        Counter.builder("archiver.requests.refused")
                .description("Requests to POST /v1/records answered with an error, by status")
                .tag("status", Integer.toString(status))
                .register(registry)
                .increment();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
