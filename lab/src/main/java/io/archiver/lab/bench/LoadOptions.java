package io.archiver.lab.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The ingest load and output options both benchmarks share (a picocli mixin). */
public final class LoadOptions {

    @Option(names = "--frontends", defaultValue = "2", description = "front-ends (default ${DEFAULT-VALUE})")
    int frontends;

    @Option(names = "--senders", defaultValue = "4", description = "concurrent HTTP senders (default ${DEFAULT-VALUE})")
    int senders;

    @Option(names = "--batch", defaultValue = "1000", description = "records per HTTP request (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--data", description = "state directory (default: a new temporary one, removed afterwards)")
    Path data;

    @Option(names = "--json", description = "print the figures as JSON")
    boolean json;

    /** Front-ends and senders positive, 1 to 1000 records a request. */
    boolean valid() {
        return frontends >= 1 && senders >= 1 && batch >= 1 && batch <= 1000;
    }
}
