package io.archiver.compliance.export;

import static io.archiver.core.config.Role.NODE;

import io.archiver.core.config.Setting;
import io.archiver.core.config.SettingGroup;
import java.nio.file.Path;
import java.util.List;

/** The export jobs' keys ({@link ExportSettings}). */
public final class ExportKeys implements SettingGroup {

    public static final Setting<Path> DIR = Setting.path("exports.dir", NODE).withDefault(Path.of(ExportJobs.DEFAULT_DIR))
            .withDoc("where the export jobs of the admin API write their files (<dir>/<job id>/)");
    public static final Setting<Integer> CONCURRENCY = Setting.integer("exports.concurrency", 1, 16, NODE).withDefault(1)
            .withDoc("export jobs a node runs at once, each on connections of its own");

    @Override
    public String area() {
        return "Archive node: exports";
    }

    @Override
    public int order() {
        return 60;
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(DIR, CONCURRENCY);
    }
}
