package io.archiver.compliance.export;

import io.archiver.core.config.Config;
import java.nio.file.Path;

/** The export jobs' settings ({@link ExportKeys}): {@code exports.dir} (absolute), {@code exports.concurrency}. */
public record ExportSettings(Path dir, int concurrency) {

    public static ExportSettings from(Config config) {
        return new ExportSettings(ExportKeys.DIR.get(config).toAbsolutePath().normalize(), ExportKeys.CONCURRENCY.get(config));
    }
}
