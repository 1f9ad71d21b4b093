package io.archiver.app;

import io.archiver.compliance.audit.AuditReader;
import io.archiver.compliance.audit.AuditRoutes;
import io.archiver.compliance.export.ExportJobs;
import io.archiver.compliance.export.ExportRoutes;
import io.archiver.compliance.integrity.IntegritySealing;
import io.archiver.compliance.search.RecordSearch;
import io.archiver.compliance.search.SearchRoutes;
import io.archiver.core.config.Config;
import io.archiver.retention.RetentionService;
import io.archiver.retention.RetentionSettings;
import io.archiver.retention.cluster.ClusterRoutes;
import io.archiver.retention.cluster.ClusterStatus;
import io.archiver.retention.failover.FailoverSettings;
import io.archiver.retention.hold.HoldRoutes;
import io.archiver.retention.hold.HoldStore;
import io.archiver.retention.purge.PurgeRoutes;
import io.archiver.retention.purge.Purger;
import io.archiver.store.AuditLog;
import io.archiver.store.NodeService;
import io.archiver.store.cluster.HostProbe;
import java.util.Map;

/**
 * A whole archive node: the store's node (database, archive broker, consumer, HTTP) with the admin API
 * of the retention and compliance modules (holds, purges, cluster status, search, exports, audit log)
 * and the scheduled jobs (purge, partitions, database watch, integrity seals), started in that order
 * (the jobs need the migrated schema) and closed in reverse.
 */
public record ArchiveNode(NodeService node, RetentionService retention) implements AutoCloseable {

    public static ArchiveNode start(Config settings) {
        // Checked before anything starts, so a bad retention value stops the node at once (exit 2), not at 02:00.
        RetentionSettings retentionSettings = RetentionSettings.from(settings);
        FailoverSettings failover = FailoverSettings.from(settings);
        NodeService node = NodeService.start(settings, (app, n) -> {
            AuditLog audit = new AuditLog(n.dataSource());
            HoldRoutes.register(app, n.auth(), new HoldStore(n.dataSource()), audit);
            SearchRoutes.register(app, n.auth(), new RecordSearch(n.dataSource()), audit);
            ExportRoutes.register(app, n.auth(), ExportJobs.start(settings, n.dataSource(), n.name()), audit);
            PurgeRoutes.register(app, n.auth(), new Purger(n.dataSource(), retentionSettings, n.name()));
            ClusterRoutes.register(app, n.auth(), new ClusterStatus(n.dataSource(), HostProbe.of(settings, failover.probeTimeoutSeconds())),
                    Map.of("name", n.name(), "failoverMode", failover.mode().key()), audit);
            AuditRoutes.register(app, n.auth(), new AuditReader(n.dataSource()), audit);
        });
        try {
            RetentionService retention = RetentionService.start(settings, node.name(), node.metrics());
            return new ArchiveNode(node, IntegritySealing.attach(retention, settings, node.name()));
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    @Override
    public void close() {
        retention.close();
        node.close();
    }
}
