package io.archiver.lab;

import io.archiver.lab.FreePorts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from the embedded binaries, on a data directory that outlives the lab
 * (a restart on the same {@code --data} finds its archive again). Also used by the benchmark and the
 * lab's two-server {@link LabDatabaseCluster}: zonky skips initdb when the directory already holds a
 * cluster, so it also starts a standby made by pg_basebackup.
 */
public final class LabPostgres implements AutoCloseable {

    public static final String DATABASE = "archive";
    public static final String USER = "postgres";

    /** Crash recovery or a standby catching up can take longer than zonky's 10 s default. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final Duration EXIT_WAIT = Duration.ofSeconds(60);

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final long pid;

    private LabPostgres(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.pid = readPid(dataDirectory);
    }

    /** Starts (initdb on first use) on an ephemeral port and creates the archive database. */
    public static LabPostgres start(Path dataDirectory) throws IOException, SQLException {
        return start(dataDirectory, 0);
    }

    /** Starts on a fixed port (0: any free port) and creates the archive database if it is missing. */
    public static LabPostgres start(Path dataDirectory, int port) throws IOException, SQLException {
        LabPostgres lab = startServer(dataDirectory, port);
        try {
            lab.createArchiveDatabase();
        } catch (SQLException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    /**
     * Starts the server as its directory says (a primary, or a standby when it holds standby.signal)
     * without touching any database: a standby is read-only.
     */
    public static LabPostgres startServer(Path dataDirectory, int port) throws IOException {
        Files.createDirectories(dataDirectory);
        // chosen here rather than by zonky (which does the same), so that the stale lock below is checked for it
        port = port > 0 ? port : FreePorts.any();
        removeStaleSocketLock(port);
        // same for a killed server's postmaster.pid: PostgreSQL would take its zombie for a running postmaster
        long previous = readPid(dataDirectory);
        if (previous > 0 && !isAlive(previous)) {
            Files.deleteIfExists(dataDirectory.resolve("postmaster.pid"));
        }
        // the server's own log, beside its directory so that a rebuild (which wipes the directory) keeps it
        ProcessBuilder.Redirect log = ProcessBuilder.Redirect.appendTo(logFile(dataDirectory).toFile());
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setOutputRedirector(log)
                .setErrorRedirector(log)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setPGStartupWait(STARTUP_WAIT)
                // zonky passes synchronous_commit=off by default: a killed server would lose acknowledged commits
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("wal_level", "replica")
                .setServerConfig("max_wal_senders", "10")
                .setServerConfig("hot_standby", "on")
                .setServerConfig("wal_keep_size", "1GB")
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "256MB")
                .setServerConfig("max_wal_size", "2GB")
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
        return new LabPostgres(postgres, dataDirectory);
    }

    public void createArchiveDatabase() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    public int port() {
        return postgres.getPort();
    }

    /** Where the server writes its log: {@code NAME.log} beside its data directory {@code NAME}. */
    public static Path logFile(Path dataDirectory) {
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".log");
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The postmaster's process id, from the first line of {@code postmaster.pid}. */
    public long pid() {
        return pid > 0 ? pid : readPid(dataDirectory);
    }

    /** Whether this server's postmaster still runs (a zombie counts as dead). */
    public boolean isAlive() {
        return isAlive(pid());
    }

    /** {@code SELECT pg_is_in_recovery()} on this server: true for a standby; empty if it does not answer. */
    public Optional<Boolean> inRecovery() {
        return inRecovery(port());
    }

    /** SIGKILL of the postmaster, as a crash would; returns when it and its backends have exited. */
    public void kill() {
        killAndWait(pid());
    }

    /** Stops the server (fast shutdown) and waits for its postmaster to exit; a dead server is only forgotten. */
    @Override
    public void close() throws IOException {
        long current = pid();
        if (isAlive(current)) {
            postgres.close();
            // pg_ctl gives up after 5 s of a long shutdown checkpoint while the server goes on: wait for it,
            // so a restart on the same directory does not meet a running postmaster
            ProcessHandle.of(current).ifPresent(p -> waitForExit(List.of(p)));
            return;
        }
        // Already dead (killed): remove its stale pid file so pg_ctl stop cannot signal a recycled pid, and
        // keep zonky's "could not stop postmaster" error out of the log; close() still releases its lock.
        Files.deleteIfExists(dataDirectory.resolve("postmaster.pid"));
        ch.qos.logback.classic.Logger logger = zonkyLogger();
        ch.qos.logback.classic.Level level = logger == null ? null : logger.getLevel();
        if (logger != null) {
            logger.setLevel(ch.qos.logback.classic.Level.OFF);
        }
        try {
            postgres.close();
        } finally {
            if (logger != null) {
                logger.setLevel(level);
            }
        }
    }

    private static ch.qos.logback.classic.Logger zonkyLogger() {
        return LoggerFactory.getLogger(EmbeddedPostgres.class) instanceof ch.qos.logback.classic.Logger logger ? logger : null;
    }

    /**
     * A killed postmaster stays a zombie where nothing reaps orphans (so here), and PostgreSQL takes a zombie's
     * pid in {@code /tmp/.s.PGSQL.PORT.lock} for a live server: a new one on that port would refuse to start.
     */
    private static void removeStaleSocketLock(int port) {
        Path lock = Path.of("/tmp/.s.PGSQL." + port + ".lock");
        try {
            if (Files.exists(lock) && !isAlive(Long.parseLong(Files.readAllLines(lock).get(0).strip()))) {
                Files.deleteIfExists(lock);
                Files.deleteIfExists(Path.of("/tmp/.s.PGSQL." + port));
            }
        } catch (IOException | RuntimeException e) {
            // PostgreSQL reports a lock that matters
        }
    }

    static long readPid(Path dataDirectory) {
        try {
            return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Alive and not a zombie: a killed postmaster whose parent has not reaped it still has a /proc entry. */
    public static boolean isAlive(long pid) {
        if (pid <= 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String afterName = stat.substring(stat.lastIndexOf(')') + 1).strip();
            return !afterName.startsWith("Z") && !afterName.startsWith("X");
        } catch (IOException | RuntimeException e) {
            return !Files.isDirectory(Path.of("/proc"));
        }
    }

    /** SIGKILL of a postmaster, then waits until it and the backends it had have exited. */
    public static void killAndWait(long pid) {
        Optional<ProcessHandle> process = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        if (process.isEmpty()) {
            return;
        }
        List<ProcessHandle> children = process.get().descendants().toList();
        process.get().destroyForcibly();
        // the backends notice their postmaster's death and exit by themselves; a laggard is killed too
        if (!waitForExit(List.of(process.get()))) {
            throw new IllegalStateException("postmaster " + pid + " survived SIGKILL");
        }
        if (!waitForExit(children, Duration.ofSeconds(10))) {
            children.forEach(ProcessHandle::destroyForcibly);
            waitForExit(children);
        }
    }

    private static boolean waitForExit(List<ProcessHandle> processes) {
        return waitForExit(processes, EXIT_WAIT);
    }

    private static boolean waitForExit(List<ProcessHandle> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle process : processes) {
            while (isAlive(process.pid())) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    static Optional<Boolean> inRecovery(int port) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=2&socketTimeout=5";
        try (Connection c = DriverManager.getConnection(url, USER, ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return Optional.of(rs.getBoolean(1));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }
}
