package io.archiver.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The front-end's own meters, on top of the JVM ones of the shared registry:
 * {@code archiver_records_accepted_total}, {@code archiver_records_skipped_policy_total},
 * {@code archiver_requests_refused_total{status}}, {@code archiver_spool_depth}, {@code archiver_spool_bytes}
 * and {@code archiver_archive_reachable}.
 */
public final class FrontendMetrics {

    private final PrometheusMeterRegistry registry;
    private final Counter accepted;
    private final Counter skippedByPolicy;

    public FrontendMetrics(PrometheusMeterRegistry registry, SpoolBroker broker, ArchiveLink link) {
        this.registry = registry;
        this.accepted = Counter.builder("archiver.records.accepted")
                .description("Records answered with 202 over HTTP (those the archiving policies skip included)")
                .register(registry);
        this.skippedByPolicy = skippedByPolicy(registry);
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

    /** Records of a 202 answer that the archiving policies excluded, so they were not spooled. */
    public void skippedByPolicy(int records) {
        skippedByPolicy.increment(records);
    }

    /**
     * {@code archiver.records.skipped.policy}: records the archiving policies excluded (over HTTP, and over
     * AMQP/core at {@code archive.inbound}). Available before the spool broker exists, which counts into it too.
     */
    public static Counter skippedByPolicy(PrometheusMeterRegistry registry) {
        return Counter.builder("archiver.records.skipped.policy")
                .description("Records not archived because the archiving policies (policies.*) exclude them")
                .register(registry);
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
