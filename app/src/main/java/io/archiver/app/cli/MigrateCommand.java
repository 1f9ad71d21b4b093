package io.archiver.app.cli;

import io.archiver.core.text.Plural;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Apply the database migrations (Flyway, schema archive) and exit.")
public final class MigrateCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        try (HikariDataSource dataSource = Database.open(config.node().database(), "migrate")) {
            int applied = Migrations.migrate(dataSource);
            System.out.println("applied " + Plural.of(applied, "migration") + "; schema archive is up to date");
        }
        return 0;
    }
}
