package io.archiver.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.config.Config;
import io.archiver.store.DatabaseHosts;
import java.time.Duration;

/**
 * Opens the connection pool to the archive database. One place decides the pool settings so that
 * every role (node, CLI commands, lab) talks to PostgreSQL the same way: short connection timeouts so
 * an unreachable database is noticed and retried rather than waited on, and the password taken from
 * {@link DatabaseSettings} (a secret: from the file, {@code db.passwordFile} or {@code ARCHIVER_DB_PASSWORD})
 * and never logged.
 *
 * <p>Keys ({@link StoreKeys}): {@code db.url} (required), {@code db.user}, {@code db.password},
 * {@code db.poolSize} (default 4), {@code db.connectionTimeout} (default 5s).
 */
public final class Database {

    public static final int DEFAULT_POOL_SIZE = 4;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    private Database() {
    }

    /** Reads the {@code db.*} keys of {@code config} and opens a pool of {@code db.poolSize}. */
    public static HikariDataSource open(Config config, String poolName) {
        return open(DatabaseSettings.from(config), poolName);
    }

    public static HikariDataSource open(Config config, String poolName, int poolSize) {
        return open(DatabaseSettings.from(config), poolName, poolSize);
    }

    public static HikariDataSource open(DatabaseSettings settings, String poolName) {
        return open(settings, poolName, settings.poolSize());
    }

    /** A pool of a size fixed by the caller (the scheduler's pool, sized by its threads). */
    public static HikariDataSource open(DatabaseSettings settings, String poolName, int poolSize) {
        String url = settings.url();
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("db.url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database), not " + url);
        }
        DatabaseHosts hosts = DatabaseHosts.parse(url);
        if (hosts.hosts().size() > 1 && !hosts.targetsPrimary()) {
            // Without it the driver takes the first server that answers, a standby included, and
            // every write there fails as read-only.
            throw new IllegalArgumentException("db.url lists " + hosts.hosts().size() + " servers but not targetServerType=primary: "
                    + "add ?targetServerType=primary so that the archive writes to whichever server is the primary");
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(poolName);
        hikari.setJdbcUrl(url);
        settings.user().ifPresent(hikari::setUsername);
        settings.password().ifPresent(hikari::setPassword);
        hikari.setMaximumPoolSize(poolSize);
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(Math.max(250, settings.connectionTimeout().toMillis()));
        hikari.setValidationTimeout(2_000);
        // Start even when the database is down: the node keeps its broker running and retries.
        hikari.setInitializationFailTimeout(-1);
        hikari.setAutoCommit(true);
        hikari.addDataSourceProperty("ApplicationName", "archiver-" + poolName);
        return new HikariDataSource(hikari);
    }
}
