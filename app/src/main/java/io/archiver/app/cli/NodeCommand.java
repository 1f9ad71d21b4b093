package io.archiver.app.cli;

import io.archiver.store.NodeService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run an archive node: the archive broker and the consumer that writes to PostgreSQL.")
public final class NodeCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        NodeService node = NodeService.start(config.load());
        System.out.println("node listening on http://127.0.0.1:" + node.httpPort() + ", archive broker port " + node.brokerPort());
        Shutdown.awaitThenClose(node, "node");
        return 0;
    }
}
