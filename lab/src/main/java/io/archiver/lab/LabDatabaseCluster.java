package io.archiver.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.lab.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's two PostgreSQL servers, pg1 and pg2 under {@code DIR/postgres}: one primary and one streaming
 * hot standby, each on a port fixed at first start (kept in {@code DIR/postgres/cluster.json}) so that
 * {@link #jdbcUrl()} never changes.
 *
 * <p>The lab does not fail over: promoting the standby and fencing an old primary is the archive node's
 * job (managed failover). The lab only <em>rebuilds</em>: when one server's process is dead and the other
 * one is a primary, the dead one's directory is wiped and rebuilt as a standby of the live primary on the
 * same port ({@link #rebuildIfNeeded()}, run every second by a watcher thread). Roles are always read from
 * the servers ({@code pg_is_in_recovery()}), never assumed.
 */
public final class LabDatabaseCluster implements AutoCloseable {

    public static final String PRIMARY = "primary";
    public static final String STANDBY = "standby";
    public static final String DOWN = "down";

    /** One server as seen now; {@code pid} is -1 when its process is not running. */
    public record Server(String name, String role, int port, long pid, Path dataDir) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(LabDatabaseCluster.class);
    private static final List<String> NAMES = List.of("pg1", "pg2");
    private static final Duration STREAMING_WAIT = Duration.ofSeconds(60);
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

    /** The lab directories this JVM runs a cluster on. */
    private static final Set<Path> IN_USE = ConcurrentHashMap.newKeySet();

    private final Path root;
    private final Map<String, Integer> ports;
    private final Map<String, LabPostgres> running = new ConcurrentHashMap<>();
    private final Map<String, Server> lastKnown = new ConcurrentHashMap<>();
    /** One lab per directory: a second one would wipe and rebuild the first one's servers. */
    private FileChannel lockChannel;
    private FileLock lock;
    /** Held while servers are started, rebuilt or stopped; never while only reading roles. */
    private final Object lifecycle = new Object();
    private volatile Consumer<List<Server>> onChange = servers -> { };
    private volatile String primaryName;
    private volatile boolean closed;
    private Thread watcher;

    private LabDatabaseCluster(Path root, Map<String, Integer> ports, String primaryName) {
        this.root = root;
        this.ports = ports;
        this.primaryName = primaryName;
    }

    /**
     * Starts both servers of the lab in {@code labDir} (its {@code postgres/} subdirectory): the first time a
     * new primary pg1 with the archive database and a standby pg2 backed up from it; later the same servers in
     * the roles their directories say. Returns when the standby streams; the watcher is running by then.
     */
    public static LabDatabaseCluster start(Path labDir) throws IOException, SQLException, InterruptedException {
        long started = System.nanoTime();
        Path root = labDir.resolve("postgres");
        Files.createDirectories(root);
        // checked in this JVM first: closing a second channel on the lock file would drop the first one's lock
        Path key = root.toAbsolutePath().normalize();
        if (!IN_USE.add(key)) {
            throw new IllegalStateException("another lab is using " + key + ": stop it first");
        }
        FileChannel lockChannel = null;
        FileLock lock = null;
        try {
            lockChannel = FileChannel.open(root.resolve("cluster.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
            if (lock == null) {
                throw new IllegalStateException("another lab is using " + key + ": stop it first");
            }
            return start(root, lockChannel, lock, started);
        } catch (IOException | SQLException | InterruptedException | RuntimeException e) {
            if (lockChannel != null) {
                lockChannel.close();
            }
            IN_USE.remove(key);
            throw e;
        }
    }

    private static LabDatabaseCluster start(Path root, FileChannel lockChannel, FileLock lock, long started)
            throws IOException, SQLException, InterruptedException {
        Path legacy = root.resolve("primary");
        if (Files.isDirectory(legacy) && !Files.exists(root.resolve("pg1"))) {
            // older labs had one server in postgres/primary: it becomes pg1, and pg2 is built from it
            Files.move(legacy, root.resolve("pg1"));
            Files.deleteIfExists(root.resolve("cluster.json"));
        }
        deleteRecursively(root.resolve("pg1.rebuild"));
        deleteRecursively(root.resolve("pg2.rebuild"));

        JsonNode saved = readClusterJson(root.resolve("cluster.json"));
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : NAMES) {
            int port = saved == null ? 0 : saved.path("ports").path(name).asInt(0);
            while (port <= 0 || ports.containsValue(port)) {
                port = FreePorts.any();
            }
            ports.put(name, port);
        }
        String preferred = saved == null ? "pg1" : saved.path("primary").asText("pg1");
        LabDatabaseCluster cluster = new LabDatabaseCluster(root, ports, NAMES.contains(preferred) ? preferred : "pg1");
        cluster.lockChannel = lockChannel;
        cluster.lock = lock;
        try {
            cluster.startServers();
        } catch (IOException | SQLException | InterruptedException | RuntimeException e) {
            cluster.stopServers();
            throw e;
        }
        cluster.startWatcher();
        LOG.info("lab database cluster ready in {} ms: {}", (System.nanoTime() - started) / 1_000_000, cluster.servers());
        return cluster;
    }

    private void startServers() throws IOException, SQLException, InterruptedException {
        synchronized (lifecycle) {
            // the primary is the server without standby.signal; with two such, the one cluster.json names
            List<String> primaries = NAMES.stream().filter(n -> usable(n) && !standbySignal(n)).toList();
            List<String> standbys = NAMES.stream().filter(n -> usable(n) && standbySignal(n)).toList();
            String chosen;
            boolean promote = false;
            if (primaries.size() == 1) {
                chosen = primaries.get(0);
            } else if (primaries.size() == 2) {
                chosen = primaryName;
            } else if (!standbys.isEmpty()) {
                // the primary's directory is gone but a standby holds the data: it becomes the primary
                chosen = standbys.contains(primaryName) ? primaryName : standbys.get(0);
                promote = true;
            } else {
                LOG.info("no usable PostgreSQL directory in {}: creating a new cluster", root);
                for (String name : NAMES) {
                    deleteRecursively(dataDir(name));
                }
                chosen = "pg1";
            }
            primaryName = chosen;
            writeClusterJson();
            LabPostgres primary = LabPostgres.startServer(dataDir(chosen), ports.get(chosen));
            running.put(chosen, primary);
            if (promote) {
                LOG.warn("{} has no usable primary beside it: promoting it", chosen);
                promote(primary.port());
            }
            if (primary.inRecovery().orElse(true)) {
                throw new IllegalStateException(chosen + " (" + dataDir(chosen) + ") did not start as a primary");
            }
            primary.createArchiveDatabase();

            String other = other(chosen);
            if (usable(other) && standbySignal(other)) {
                try {
                    LabPostgres standby = LabPostgres.startServer(dataDir(other), ports.get(other));
                    running.put(other, standby);
                    if (awaitStreaming(primary.port(), other, STREAMING_WAIT)) {
                        return;
                    }
                    LOG.warn("{} started but does not stream from {}: rebuilding it", other, chosen);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("{} does not start ({}): rebuilding it", other, e.getMessage());
                }
            }
            rebuild(other, primary);
        }
    }

    /** The multi-host URL: the driver picks whichever server is the primary now. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + ports.get("pg1") + ",127.0.0.1:" + ports.get("pg2") + "/"
                + LabPostgres.DATABASE + "?targetServerType=primary&hostRecheckSeconds=1&connectTimeout=2";
    }

    /** A URL to one server only (a standby takes read-only connections). */
    public String jdbcUrl(String name) {
        return "jdbc:postgresql://127.0.0.1:" + port(name) + "/" + LabPostgres.DATABASE;
    }

    public int port(String name) {
        Integer port = ports.get(name);
        if (port == null) {
            throw new IllegalArgumentException("no server " + name + " (pg1 or pg2)");
        }
        return port;
    }

    public Path dataDir(String name) {
        port(name);
        return root.resolve(name);
    }

    /** Both servers, pg1 first, with the role each reports now. */
    public List<Server> servers() {
        List<Server> servers = new ArrayList<>();
        for (String name : NAMES) {
            LabPostgres server = running.get(name);
            String role = DOWN;
            long pid = -1;
            if (server != null && server.isAlive()) {
                pid = server.pid();
                Server known = lastKnown.get(name);
                // a live server too busy to answer keeps the role it last reported, so lab.json does not flap
                String fallback = known != null && known.pid() == pid ? known.role() : DOWN;
                role = server.inRecovery().map(recovering -> recovering ? STANDBY : PRIMARY).orElse(fallback);
            }
            Server now = new Server(name, role, ports.get(name), pid, root.resolve(name));
            if (!role.equals(DOWN)) {
                lastKnown.put(name, now);
            }
            servers.add(now);
        }
        return servers;
    }

    public Optional<Server> primary() {
        return servers().stream().filter(s -> s.role().equals(PRIMARY)).findFirst();
    }

    public Optional<Server> standby() {
        return servers().stream().filter(s -> s.role().equals(STANDBY)).findFirst();
    }

    /** The primary's postmaster pid (-1 if there is none now): what the benchmarks measure. */
    public long pid() {
        return primary().map(Server::pid).orElse(-1L);
    }

    /** Called from the watcher thread with the new view whenever a server's role or pid changes. */
    public void onChange(Consumer<List<Server>> listener) {
        this.onChange = Objects.requireNonNull(listener);
    }

    /** SIGKILL of that server's postmaster, as a crash would; returns when it and its backends have exited. */
    public void kill(String name) {
        port(name);
        LabPostgres server = running.get(name);
        if (server != null) {
            server.kill();
        }
    }

    /**
     * The lab's only repair: a server whose process is dead while the other one is a primary is wiped and
     * rebuilt as a standby of that primary, on its own port. Nothing happens while the survivor is still a
     * standby (promoting it is the archive node's decision). Returns whether it rebuilt one.
     */
    public boolean rebuildIfNeeded() throws IOException, InterruptedException {
        synchronized (lifecycle) {
            if (closed) {
                return false;
            }
            for (String name : NAMES) {
                LabPostgres server = running.get(name);
                if (server != null && server.isAlive()) {
                    continue;
                }
                LabPostgres survivor = running.get(other(name));
                if (survivor != null && survivor.isAlive() && survivor.inRecovery().equals(Optional.of(false))) {
                    rebuild(name, survivor);
                    return true;
                }
            }
            return false;
        }
    }

    /** Wipes {@code name} and makes it a streaming standby of {@code primary} again. Holds the lifecycle lock. */
    private void rebuild(String name, LabPostgres primary) throws IOException, InterruptedException {
        long started = System.nanoTime();
        String primary0 = other(name);
        LOG.info("rebuilding {} as a standby of {}", name, primary0);
        // remembered first: if the lab dies mid-rebuild, the next start must not take the half-built copy
        primaryName = primary0;
        writeClusterJson();
        LabPostgres old = running.remove(name);
        if (old != null) {
            if (old.isAlive()) {
                old.kill();
            }
            old.close();
        }
        long stale = LabPostgres.readPid(dataDir(name));
        if (LabPostgres.isAlive(stale)) {
            LabPostgres.killAndWait(stale);
        }
        // backed up beside it and renamed when complete, so a directory named pgN is never half a copy
        Path building = root.resolve(name + ".rebuild");
        deleteRecursively(building);
        long backupStarted = System.nanoTime();
        PgBaseBackup.standby(primary.port(), building, name);
        long backedUp = System.nanoTime();
        deleteRecursively(dataDir(name));
        Files.move(building, dataDir(name), StandardCopyOption.ATOMIC_MOVE);
        LabPostgres standby = LabPostgres.startServer(dataDir(name), ports.get(name));
        running.put(name, standby);
        long serverStarted = System.nanoTime();
        boolean streaming = awaitStreaming(primary.port(), name, STREAMING_WAIT);
        long done = System.nanoTime();
        LOG.info("rebuilt {} as a standby of {} in {} ms (pg_basebackup {} ms, start {} ms, until streaming {} ms){}",
                name, primary0, (done - started) / 1_000_000, (backedUp - backupStarted) / 1_000_000,
                (serverStarted - backedUp) / 1_000_000, (done - serverStarted) / 1_000_000,
                streaming ? "" : "; not streaming yet");
    }

    private void startWatcher() {
        watcher = new Thread(this::watch, "lab-postgres-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void watch() {
        List<Server> last = servers();
        int failures = 0;
        while (!closed) {
            try {
                // after failed rebuilds, wait longer (up to 32 s) rather than retry and log every second
                TimeUnit.MILLISECONDS.sleep(WATCH_INTERVAL.toMillis() << Math.min(failures, 5));
                try {
                    rebuildIfNeeded();
                    failures = 0;
                } catch (IOException | RuntimeException e) {
                    failures++;
                    if (!closed) {
                        LOG.warn("lab database: rebuild failed (attempt {}): {}", failures, e.toString());
                    }
                }
                List<Server> now = servers();
                if (!sameRolesAndPids(now, last)) {
                    last = now;
                    List<String> primaries = now.stream().filter(s -> s.role().equals(PRIMARY)).map(Server::name).toList();
                    if (primaries.size() == 1) {
                        rememberPrimary(primaries.get(0));
                    }
                    LOG.info("lab database cluster: {}", now);
                    onChange.accept(now);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!closed) {
                    LOG.warn("lab database watcher: {}", e.toString());
                }
            }
        }
    }

    private void rememberPrimary(String name) {
        if (!name.equals(primaryName)) {
            primaryName = name;
            try {
                writeClusterJson();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static boolean sameRolesAndPids(List<Server> a, List<Server> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).role().equals(b.get(i).role()) || a.get(i).pid() != b.get(i).pid()) {
                return false;
            }
        }
        return true;
    }

    /** Stops the watcher, then both servers (the primary first); a dead one is only forgotten. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (watcher != null) {
            watcher.interrupt();
            try {
                watcher.join(TimeUnit.MINUTES.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            stopServers();
        } finally {
            if (lock != null) {
                lock.release();
                lockChannel.close();
                IN_USE.remove(root.toAbsolutePath().normalize());
            }
        }
    }

    private void stopServers() throws IOException {
        synchronized (lifecycle) {
            IOException first = null;
            List<String> order = NAMES.stream()
                    .sorted(Comparator.comparing(n -> running.get(n) == null || running.get(n).inRecovery().orElse(true)))
                    .toList();
            for (String name : order) {
                LabPostgres server = running.remove(name);
                if (server == null) {
                    continue;
                }
                try {
                    server.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            for (String name : NAMES) {
                // a server left half-started by an interrupted start or rebuild has no handle: it must not outlive the lab
                long orphan = LabPostgres.readPid(root.resolve(name));
                if (LabPostgres.isAlive(orphan)) {
                    LOG.warn("stopping orphaned postmaster {} of {}", orphan, name);
                    LabPostgres.killAndWait(orphan);
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    private static boolean awaitStreaming(int primaryPort, String standbyName, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String url = "jdbc:postgresql://127.0.0.1:" + primaryPort + "/postgres?connectTimeout=2&socketTimeout=5";
        while (System.nanoTime() < deadline) {
            try (Connection c = DriverManager.getConnection(url, LabPostgres.USER, "");
                 PreparedStatement s = c.prepareStatement("SELECT state FROM pg_stat_replication WHERE application_name = ?")) {
                s.setString(1, standbyName);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        if ("streaming".equals(rs.getString(1))) {
                            return true;
                        }
                    }
                }
            } catch (SQLException e) {
                // the primary is restarting or busy: ask again
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return false;
    }

    private static void promote(int port) throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(url, LabPostgres.USER, ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_promote(true, 60)")) {
            if (!rs.next() || !rs.getBoolean(1)) {
                throw new SQLException("pg_promote on port " + port + " did not finish");
            }
        }
    }

    private boolean usable(String name) {
        Path dir = root.resolve(name);
        return Files.isRegularFile(dir.resolve("PG_VERSION")) && Files.isRegularFile(dir.resolve("postgresql.conf"))
                && Files.isRegularFile(dir.resolve("global/pg_control"));
    }

    private boolean standbySignal(String name) {
        return Files.exists(root.resolve(name).resolve("standby.signal"));
    }

    private static String other(String name) {
        return name.equals("pg1") ? "pg2" : "pg1";
    }

    private void writeClusterJson() throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ports", ports);
        json.put("primary", primaryName);
        JsonFiles.write(root.resolve("cluster.json"), json);
    }

    private static JsonNode readClusterJson(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            LOG.warn("ignoring unreadable {}: {}", file, e.getMessage());
            return null;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
