package io.archiver.store.testing;

import io.archiver.core.config.Config;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL (zonky's embedded binaries) for one test class, on a free port and a data
 * directory of its own. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();
 *
 * @Test void something() {
 *     Config config = PG.config(PG.createDatabase());   // db.url and db.user of a fresh database
 * }
 * }</pre>
 *
 * {@link #stop()} and {@link #start()} stop the server and start it again on the same data directory
 * and port, for outage tests. Usable without JUnit too ({@link #start()} / {@link #close()}).
 * Settings favour speed over durability across a machine crash (fsync off); a clean stop keeps
 * everything.
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    public static final String USER = "postgres";

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Map<String, String> serverConfig = new LinkedHashMap<>();
    private Path dataDirectory;
    private int port;
    private EmbeddedPostgres postgres;

    public EmbeddedPostgresExtension() {
        serverConfig.put("fsync", "off");
        serverConfig.put("full_page_writes", "off");
        serverConfig.put("max_connections", "100");
        serverConfig.put("shared_buffers", "64MB");
    }

    /** Adds a {@code postgresql.conf} setting for the server (before it starts). */
    public EmbeddedPostgresExtension withServerConfig(String key, String value) {
        serverConfig.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Starts the server: the first time in a new data directory, afterwards again on the same one and port. */
    public synchronized void start() {
        if (postgres != null) {
            return;
        }
        try {
            if (dataDirectory == null) {
                dataDirectory = Files.createTempDirectory("archiver-pg-").resolve("data");
                port = io.archiver.core.testing.FreePorts.any();
            }
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60));
            serverConfig.forEach(builder::setServerConfig);
            postgres = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dataDirectory + " on port " + port, e);
        }
    }

    /** Stops the server ({@code pg_ctl stop}, fast mode: clients are disconnected); data is kept. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop embedded PostgreSQL", e);
        } finally {
            postgres = null;
        }
    }

    public synchronized boolean isRunning() {
        return postgres != null;
    }

    /** Stops the server and deletes its data directory. */
    @Override
    public synchronized void close() {
        stop();
        if (dataDirectory != null) {
            deleteRecursively(dataDirectory.getParent());
            dataDirectory = null;
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The {@code postgres} database, for administration. */
    public DataSource adminDataSource() {
        return running().getPostgresDatabase();
    }

    /** Creates a new, empty database and returns its name. */
    public String createDatabase() {
        String name = "test_" + DATABASES.incrementAndGet();
        try (Connection connection = adminDataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** {@code db.url} and {@code db.user} of the database, as a map to extend. */
    public Map<String, String> settings(String database) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("db.url", jdbcUrl(database));
        settings.put("db.user", USER);
        settings.put("db.connectionTimeout", "1s");
        return settings;
    }

    /** A configuration for the database, without the process environment (tests must not pick up ARCHIVER_*). */
    public Config config(String database) {
        return Config.of(settings(database), Map.of());
    }

    private EmbeddedPostgres running() {
        EmbeddedPostgres current = postgres;
        if (current == null) {
            throw new IllegalStateException("embedded PostgreSQL is not running");
        }
        return current;
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
