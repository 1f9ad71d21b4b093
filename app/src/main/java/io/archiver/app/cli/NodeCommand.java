package io.archiver.app.cli;

import io.archiver.app.ArchiveNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run an archive node: the archive broker, the consumer that writes to PostgreSQL, the admin API and the scheduled jobs.")
public final class NodeCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        ArchiveNode node = ArchiveNode.start(config.node());
        System.out.println("node listening on http://127.0.0.1:" + node.node().httpPort() + ", archive broker port " + node.node().brokerPort());
        Shutdown.awaitThenClose(node, "node");
        return 0;
    }
}
