package io.archiver.app.cli;

import io.archiver.core.config.Role;
import io.archiver.ingest.FrontendService;
import io.archiver.ingest.FrontendSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "frontend", mixinStandardHelpOptions = true,
        description = "Run a front-end: HTTP and AMQP intake into a local durable spool that forwards to the archive.")
public final class FrontendCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        FrontendService frontend = FrontendService.start(FrontendSettings.from(config.load(Role.FRONTEND)));
        System.out.println("frontend " + frontend.name() + " listening on http://127.0.0.1:" + frontend.httpPort()
                + (frontend.amqpPort() > 0 ? ", amqp port " + frontend.amqpPort() : ""));
        Shutdown.awaitThenClose(frontend, "frontend");
        return 0;
    }
}
