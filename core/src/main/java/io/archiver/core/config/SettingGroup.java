package io.archiver.core.config;

import java.util.List;

/**
 * The keys one module declares (service provider: each module lists its groups in
 * {@code META-INF/services/io.archiver.core.config.SettingGroup}); {@link Catalog#installed()} is the
 * union of those on the class path, the configuration loader's idea of every known key.
 */
public interface SettingGroup {

    /** The heading of the group's table in the reference ("Archive node: store"). */
    String area();

    /** Where the group's table goes in the reference (lower first). */
    int order();

    List<Setting<?>> settings();

    default List<KeyPattern> patterns() {
        return List.of();
    }
}
