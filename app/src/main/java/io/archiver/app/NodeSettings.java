package io.archiver.app;

import io.archiver.cluster.failover.FailoverSettings;
import io.archiver.cluster.schedule.SchedulerOptions;
import io.archiver.compliance.export.ExportSettings;
import io.archiver.compliance.integrity.IntegritySettings;
import io.archiver.core.config.Config;
import io.archiver.retention.RetentionSettings;
import io.archiver.store.DatabaseSettings;
import io.archiver.store.StoreSettings;

/**
 * Every setting of an archive node (and of the CLI commands, which read the node's file), read and
 * checked once at start, before anything starts, so that a bad value stops the node at once (exit 2)
 * and not at 02:00; the parts are passed down to the modules.
 */
public record NodeSettings(StoreSettings store, FailoverSettings failover, SchedulerOptions scheduler, RetentionSettings retention,
                           IntegritySettings integrity, ExportSettings exports) {

    public static NodeSettings from(Config config) {
        // The features' settings first: a bad retention or integrity value is named even in a file that
        // leaves db.url to the environment.
        RetentionSettings retention = RetentionSettings.from(config);
        IntegritySettings integrity = IntegritySettings.from(config);
        ExportSettings exports = ExportSettings.from(config);
        FailoverSettings failover = FailoverSettings.from(config);
        StoreSettings store = StoreSettings.from(config);
        return new NodeSettings(store, failover, SchedulerOptions.from(config, store.nodeName()), retention, integrity, exports);
    }

    /** {@code node.name}: the host name unless set. */
    public String nodeName() {
        return store.nodeName();
    }

    public DatabaseSettings database() {
        return store.database();
    }
}
