package io.archiver.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the {@code archive} schema up to date. The schema is owned by these Flyway migrations alone
 * (contract section 7); Flyway's history table lives in the same schema, and its PostgreSQL advisory
 * lock lets several nodes start at once without racing.
 */
public final class Migrations {

    public static final String SCHEMA = "archive";
    public static final String LOCATION = "classpath:db/migration/archive";

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {
    }

    /** Applies every pending migration; returns how many were applied (0 when already current). */
    public static int migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .createSchemas(true)
                .table("flyway_schema_history")
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .load();
        int applied = flyway.migrate().migrationsExecuted;
        if (applied > 0) {
            log.info("applied {} migration(s) to schema {}", applied, SCHEMA);
        }
        return applied;
    }
}
