package io.archiver.app.cli;

import io.archiver.core.config.Config;
import io.archiver.retention.RetentionSettings;
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
        Config settings = config.load();
        // Checked now, so a bad retention value stops the node at start (exit 2), not at 02:00.
        RetentionSettings.from(settings);
        NodeService node = NodeService.start(settings);
        System.out.println("node listening on http://127.0.0.1:" + node.httpPort() + ", archive broker port " + node.brokerPort());
        Shutdown.awaitThenClose(node, "node");
        return 0;
    }
}
