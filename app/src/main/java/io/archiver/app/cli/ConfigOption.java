package io.archiver.app.cli;

import io.archiver.core.config.Config;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config F} option every role command shares. */
public final class ConfigOption {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "properties or YAML file; every key can be overridden by ARCHIVER_<KEY_UPPER_SNAKE>")
    Path file;

    public Config load() {
        return Config.load(file);
    }
}
