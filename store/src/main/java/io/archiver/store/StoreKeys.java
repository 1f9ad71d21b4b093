package io.archiver.store;

import static io.archiver.core.config.Role.NODE;

import io.archiver.core.config.Setting;
import io.archiver.core.config.SettingGroup;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The keys of the store's part of an archive node (read by {@link StoreSettings}): the node, its HTTP
 * listener, the database pool, the archive broker and the consumer. The CLI commands read the
 * {@code db.*} keys of the node's file too.
 */
public final class StoreKeys implements SettingGroup {

    public static final Setting<String> NODE_NAME = Setting.string("node.name", NODE)
            .withDefault(StoreKeys::hostName, "the host name")
            .withDoc("the node's name: the metrics' instance tag, its row in archive.nodes, the scheduler's instance id, the actor of its jobs");
    public static final Setting<String> HTTP_HOST = Setting.string("http.host", NODE).withDefault("127.0.0.1")
            .withDoc("address of the HTTP listener (health, metrics, admin API)");
    public static final Setting<Integer> HTTP_PORT = Setting.integer("http.port", 0, 65535, NODE).withDefault(8081)
            .withDoc("port of the HTTP listener; 0 picks a free port");
    public static final Setting<Path> TOKENS_FILE = Setting.path("tokens.file", NODE)
            .withNoDefault("none: the admin API refuses every call (401)")
            .withDoc("the admin API's bearer tokens and their roles");

    public static final Setting<String> DB_URL = Setting.string("db.url", NODE).withRequired()
            .withCheck(url -> url.startsWith("jdbc:postgresql:"), "a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)")
            .withDoc("JDBC URL of the archive database; list primary and standby for failover: "
                    + "jdbc:postgresql://h1:5432,h2:5432/archive?targetServerType=primary");
    public static final Setting<String> DB_USER = Setting.string("db.user", NODE).withNoDefault("the driver's (the OS user)")
            .withDoc("database user");
    public static final Setting<String> DB_PASSWORD = Setting.secret("db.password", NODE).withNoDefault("none")
            .withDoc("database password");
    public static final Setting<Integer> DB_POOL_SIZE = Setting.integer("db.poolSize", 1, 1000, NODE).withDefault(Database.DEFAULT_POOL_SIZE)
            .withDoc("connections of the node's pool (the writers, health checks, admin API); keep it above store.writers");
    public static final Setting<Duration> DB_CONNECTION_TIMEOUT = Setting.duration("db.connectionTimeout",
                    Duration.ofMillis(250), Duration.ofMinutes(10), NODE).withDefault(Database.DEFAULT_CONNECTION_TIMEOUT)
            .withDoc("how long taking a connection may wait, so an unreachable database is noticed and retried");

    public static final Setting<String> BROKER_HOST = Setting.string("broker.host", NODE).withDefault(ArchiveBroker.DEFAULT_HOST)
            .withDoc("address of the archive broker's acceptor (CORE, AMQP) the front-ends' bridges forward to");
    public static final Setting<Integer> BROKER_PORT = Setting.integer("broker.port", 0, 65535, NODE).withDefault(ArchiveBroker.DEFAULT_PORT)
            .withDoc("port of the archive broker; 0 picks a free port");
    public static final Setting<Path> BROKER_DIR = Setting.path("broker.dir", NODE).withDefault(Path.of(ArchiveBroker.DEFAULT_DIR))
            .withDoc("the archive broker's journal, bindings and paging");
    public static final Setting<Long> BROKER_QUEUE_MEMORY = Setting.bytes("broker.queueMemory", 1L << 20, 1L << 40, NODE)
            .withDefault(ArchiveBroker.DEFAULT_QUEUE_MEMORY)
            .withDoc("in-memory size of the archive queue before it pages to disk");

    public static final Setting<Integer> STORE_WRITERS = Setting.integer("store.writers", 1, 64, NODE).withDefault(ArchivingConsumer.DEFAULT_WRITERS)
            .withDoc("writer threads draining the archive queue into PostgreSQL, each with a connection of db.poolSize");
    public static final Setting<Integer> STORE_BATCH_RECORDS = Setting.integer("store.batchRecords", 1, 1_000_000, NODE)
            .withDefault(ArchivingConsumer.DEFAULT_BATCH_RECORDS)
            .withDoc("records a writer gathers into one database transaction at most");
    public static final Setting<Duration> STORE_BATCH_LINGER = Setting.duration("store.batchLinger", Duration.ZERO, Duration.ofSeconds(10), NODE)
            .withDefault(ArchivingConsumer.DEFAULT_BATCH_LINGER)
            .withDoc("how long a writer waits for more records before it writes a batch");

    @Override
    public String area() {
        return "Archive node: node, HTTP, database, archive broker, writers";
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(NODE_NAME, HTTP_HOST, HTTP_PORT, TOKENS_FILE, DB_URL, DB_USER, DB_PASSWORD, DB_POOL_SIZE, DB_CONNECTION_TIMEOUT,
                BROKER_HOST, BROKER_PORT, BROKER_DIR, BROKER_QUEUE_MEMORY, STORE_WRITERS, STORE_BATCH_RECORDS, STORE_BATCH_LINGER);
    }

    /** The default of {@code node.name}. */
    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            String fromEnvironment = System.getenv("HOSTNAME");
            return fromEnvironment == null || fromEnvironment.isBlank() ? "node" : fromEnvironment;
        }
    }
}
