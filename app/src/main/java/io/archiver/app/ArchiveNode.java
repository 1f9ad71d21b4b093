package io.archiver.app;

import io.archiver.cluster.ClusterService;
import io.archiver.cluster.failover.FailoverSettings;
import io.archiver.cluster.failover.HostProbe;
import io.archiver.cluster.node.NodeHeartbeat;
import io.archiver.cluster.status.ClusterRoutes;
import io.archiver.cluster.status.ClusterStatus;
import io.archiver.compliance.audit.AuditReader;
import io.archiver.compliance.audit.AuditRoutes;
import io.archiver.compliance.conflicts.ConflictReader;
import io.archiver.compliance.conflicts.ConflictRoutes;
import io.archiver.compliance.export.ExportJobs;
import io.archiver.compliance.export.ExportRoutes;
import io.archiver.compliance.integrity.IntegritySealing;
import io.archiver.compliance.search.RecordSearch;
import io.archiver.compliance.search.SearchRoutes;
import io.archiver.core.config.Config;
import io.archiver.retention.RetentionService;
import io.archiver.retention.hold.HoldRoutes;
import io.archiver.retention.hold.HoldStore;
import io.archiver.retention.purge.PurgeRoutes;
import io.archiver.store.AuditLog;
import io.archiver.store.NodeService;
import java.util.Map;

/**
 * A whole archive node: the store (database, archive broker, consumer), the cluster (scheduler,
 * database watch, heartbeat), the scheduled jobs of retention and compliance (purge, partitions,
 * integrity seals), and last the HTTP listener with the admin API of every module (holds, purges,
 * cluster status, search, exports, audit log, conflicts), so that its routes use the services started before
 * it (one purger for the nightly job and the HTTP purges). Closed in reverse.
 */
public record ArchiveNode(NodeService node, ClusterService cluster, RetentionService retention) implements AutoCloseable {

    /** Reads the node's settings (every key checked before anything starts) and starts. */
    public static ArchiveNode start(Config config) {
        return start(NodeSettings.from(config));
    }

    public static ArchiveNode start(NodeSettings settings) {
        FailoverSettings failover = settings.failover();
        NodeService node = NodeService.startStore(settings.store());
        ClusterService cluster = null;
        try {
            cluster = ClusterService.start(failover, settings.scheduler(), settings.database(), node.metrics());
            RetentionService retention = RetentionService.start(settings.retention(), cluster.scheduler(), cluster.dataSource(), node.name());
            IntegritySealing.attach(cluster.scheduler(), settings.integrity(), settings.database(), node.name());
            node.serve((app, n) -> {
                AuditLog audit = new AuditLog(n.dataSource());
                HoldRoutes.register(app, n.auth(), new HoldStore(n.dataSource()), audit);
                SearchRoutes.register(app, n.auth(), new RecordSearch(n.dataSource()), audit);
                ExportRoutes.register(app, n.auth(), ExportJobs.start(settings.exports(), settings.database(), n.dataSource(), n.name()), audit);
                PurgeRoutes.register(app, n.auth(), retention.purger());
                ClusterRoutes.register(app, n.auth(), new ClusterStatus(n.dataSource(), HostProbe.of(settings.database(), failover.probeTimeoutSeconds())),
                        Map.of("name", n.name(), "failoverMode", failover.mode().key()), audit);
                AuditRoutes.register(app, n.auth(), new AuditReader(n.dataSource()), audit);
                ConflictRoutes.register(app, n.auth(), new ConflictReader(n.dataSource()), audit);
            });
            NodeHeartbeat heartbeat = cluster.beat(node.httpUrl(), node.brokerUrl(), node::queueDepth);
            node.onServerMoves((from, to, lastBefore, firstAfter) -> heartbeat.writesResumed(lastBefore, firstAfter));
            return new ArchiveNode(node, cluster, retention);
        } catch (RuntimeException e) {
            if (cluster != null) {
                cluster.close();
            }
            node.close();
            throw e;
        }
    }

    @Override
    public void close() {
        cluster.close();
        node.close();
    }
}
