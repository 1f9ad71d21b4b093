package io.archiver.app.cli;

import io.archiver.core.text.Plural;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.store.Database;
import io.archiver.store.DeadLetterReplayer;
import io.archiver.store.ReplayResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "replay-dead-letters", mixinStandardHelpOptions = true,
        description = "Try the dead letters again; prints how many went in.")
public final class ReplayDeadLettersCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() throws Exception {
        try (HikariDataSource dataSource = Database.open(config.node().database(), "replay")) {
            ReplayResult result = DeadLetterReplayer.replay(dataSource, new SimpleMeterRegistry());
            System.out.println(Plural.of(result.replayed(), "dead letter") + " went in, " + result.stillFailing() + " still refused");
            return 0;
        }
    }
}
