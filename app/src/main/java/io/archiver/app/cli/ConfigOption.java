package io.archiver.app.cli;

import io.archiver.app.NodeSettings;
import io.archiver.core.config.Config;
import io.archiver.core.config.Role;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --config F} option every role command shares. The command decides the role: the
 * front-end reads its file as a front-end's, the node and the CLI commands as a node's; either way the
 * file and the {@code ARCHIVER_*} variables are checked strictly ({@link Config}).
 */
public final class ConfigOption {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "properties or YAML file; every key can be overridden by ARCHIVER_<KEY_UPPER_SNAKE>")
    Path file;

    /** The file as {@code role}'s configuration. */
    public Config load(Role role) {
        return Config.load(file, role);
    }

    /** The node's configuration (the node and the CLI commands), every setting read and checked once. */
    public NodeSettings node() {
        return NodeSettings.from(load(Role.NODE));
    }
}
