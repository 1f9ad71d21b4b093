package io.archiver.compliance.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.store.Database;
import io.archiver.store.DatabaseSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Export jobs of the admin API ({@code POST /v1/exports}): each is a row of {@code archive.exports}
 * and runs on the node that accepted it, one at a time ({@code exports.concurrency}), with a small
 * connection pool of its own so that a long export never takes the writers' connections; its files go
 * to {@code exports.dir/<id>/}. The row is the state: progress is written every second, and at start a
 * node resumes its jobs that were queued or running when it stopped or died (an interrupted export
 * starts over in an emptied directory; nothing of it was marked exported), up to
 * {@value #MAX_ATTEMPTS} attempts, after which the job is failed with the reason.
 */
public final class ExportJobs implements AutoCloseable {

    public static final int MAX_ATTEMPTS = 3;
    public static final String DEFAULT_DIR = "./data/exports";
    private static final Logger log = LoggerFactory.getLogger(ExportJobs.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, state, query, requested_by, requested_at, node, directory, attempts, started_at, "
            + "finished_at, records_total, records_done, files, bytes, marked_exported, manifest_sha256, error";

    private final DataSource dataSource;
    private final HikariDataSource exportPool;
    private final Exporter exporter;
    private final String node;
    private final Path root;
    private final ExecutorService runner;
    private final AtomicBoolean stopping = new AtomicBoolean();

    ExportJobs(DataSource dataSource, HikariDataSource exportPool, Exporter.Options options, String node, Path root, int concurrency) {
        this.dataSource = dataSource;
        this.exportPool = exportPool;
        this.exporter = new Exporter(exportPool != null ? exportPool : dataSource, options);
        this.node = node;
        this.root = root;
        this.runner = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "export-job");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the jobs of node {@code node}: {@code exports.dir} (default {@value #DEFAULT_DIR}),
     * {@code exports.concurrency} (default 1), on a pool of their own on {@code database}; then resumes
     * this node's unfinished jobs, in the background.
     */
    public static ExportJobs start(ExportSettings settings, DatabaseSettings database, DataSource dataSource, String node) {
        int concurrency = settings.concurrency();
        Path root = settings.dir();
        HikariDataSource pool = Database.open(database, "exports", 2 * concurrency + 1);
        ExportJobs jobs = new ExportJobs(dataSource, pool, Exporter.Options.DEFAULTS, node, root, concurrency);
        jobs.resumeUnfinished();
        return jobs;
    }

    String node() {
        return node;
    }

    /** Queues an export for {@code actor}; returns the job (state queued). */
    public ExportJob submit(ExportQuery query, String actor) throws SQLException {
        String id = UUID.randomUUID().toString();
        Path directory = root.resolve(id);
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO archive.exports (id, query, requested_by, node, directory) "
                     + "VALUES (?, ?::jsonb, ?, ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, json(query));
            insert.setString(3, actor);
            insert.setString(4, node);
            insert.setString(5, directory.toString());
            insert.executeUpdate();
        }
        runner.execute(() -> run(id));
        return find(id).orElseThrow(() -> new SQLException("export job " + id + " vanished right after it was queued"));
    }

    public Optional<ExportJob> find(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM archive.exports WHERE id = ?")) {
            select.setString(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(job(rs)) : Optional.empty();
            }
        }
    }

    /** This node's queued and running jobs (left by a stop or a crash), run again in the order they were asked for. */
    void resumeUnfinished() {
        runner.execute(() -> {
            List<String> ids = new ArrayList<>();
            try (Connection c = dataSource.getConnection();
                 PreparedStatement select = c.prepareStatement("SELECT id FROM archive.exports WHERE node = ? "
                         + "AND state IN ('queued', 'running') ORDER BY requested_at")) {
                select.setString(1, node);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            } catch (SQLException e) {
                log.warn("cannot look for unfinished export jobs of node {}: {}", node, e.getMessage());
                return;
            }
            if (!ids.isEmpty()) {
                log.info("resuming {} unfinished export job(s) of node {}: {}", ids.size(), node, ids);
            }
            ids.forEach(id -> runner.execute(() -> run(id)));
        });
    }

    /** Runs one job: claims it, empties its directory, exports, and records how it ended. */
    void run(String id) {
        if (stopping.get()) {
            return;
        }
        ExportJob job;
        try {
            job = claim(id);
        } catch (SQLException | IOException e) {
            log.warn("cannot start export job {}: {}", id, e.getMessage());
            return;
        }
        if (job == null) {
            return;
        }
        long[] lastWrite = {0};
        try {
            ExportResult result = exporter.export(job.query(), job.directory(), job.requestedBy(), (done, total) -> {
                long now = System.nanoTime();
                if (now - lastWrite[0] >= 1_000_000_000L || done == 0) {
                    lastWrite[0] = now;
                    progress(id, done, total);
                }
            }, stopping::get);
            finish(id, "done", result, null);
            log.info("export job {} done: {} records, {} files", id, result.records(), result.files());
        } catch (ExportException e) {
            if (stopping.get()) {
                requeue(id, "interrupted by the node's stop; resumed at its next start");
            } else {
                finish(id, "failed", null, e.getMessage());
                log.warn("export job {} failed: {}", id, e.getMessage());
            }
        } catch (RuntimeException e) {
            finish(id, "failed", null, e.toString());
            log.warn("export job {} failed", id, e);
        }
    }

    /** Marks the job running (one more attempt) and empties its directory; null when it is not this node's to run or is given up. */
    private ExportJob claim(String id) throws SQLException, IOException {
        ExportJob job;
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE archive.exports SET state = 'running', attempts = attempts + 1, "
                     + "started_at = now(), records_done = 0, error = NULL WHERE id = ? AND node = ? AND state IN ('queued', 'running') "
                     + "RETURNING " + COLUMNS)) {
            update.setString(1, id);
            update.setString(2, node);
            try (ResultSet rs = update.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                job = job(rs);
            }
        }
        if (job.attempts() > MAX_ATTEMPTS) {
            finish(id, "failed", null, "given up after " + MAX_ATTEMPTS + " attempts interrupted by stops or crashes of node " + node);
            return null;
        }
        emptyDirectory(job.directory());
        return job;
    }

    private static void emptyDirectory(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                if (!p.equals(dir)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void progress(String id, long done, long total) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE archive.exports SET records_done = ?, records_total = ? WHERE id = ?")) {
            update.setLong(1, done);
            update.setLong(2, total);
            update.setString(3, id);
            update.executeUpdate();
        } catch (SQLException e) {
            log.debug("progress of export job {} not recorded: {}", id, e.getMessage());
        }
    }

    private void finish(String id, String state, ExportResult result, String error) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE archive.exports SET state = ?, finished_at = now(), "
                     + "records_done = coalesce(?, records_done), records_total = coalesce(?, records_total), files = ?, bytes = ?, "
                     + "marked_exported = ?, manifest_sha256 = ?, error = ? WHERE id = ?")) {
            update.setString(1, state);
            setLong(update, 2, result == null ? null : result.records());
            setLong(update, 3, result == null ? null : result.records());
            setLong(update, 4, result == null ? null : result.files());
            setLong(update, 5, result == null ? null : result.bytes());
            setLong(update, 6, result == null ? null : result.markedExported());
            update.setString(7, result == null ? null : result.manifestSha256());
            update.setString(8, error);
            update.setString(9, id);
            update.executeUpdate();
        } catch (SQLException e) {
            // Left running: the node resumes it at its next start.
            log.warn("cannot record the end ({}) of export job {}: {}", state, id, e.getMessage());
        }
    }

    private void requeue(String id, String why) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE archive.exports SET state = 'queued', error = ? WHERE id = ?")) {
            update.setString(1, why);
            update.setString(2, id);
            update.executeUpdate();
        } catch (SQLException e) {
            log.warn("cannot requeue export job {}: {}", id, e.getMessage());
        }
    }

    private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }

    /** Stops taking jobs; a running export stops at its next batch and is queued again for the next start. */
    @Override
    public void close() {
        stopping.set(true);
        runner.shutdown();
        try {
            if (!runner.awaitTermination(15, TimeUnit.SECONDS)) {
                runner.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (exportPool != null) {
            exportPool.close();
        }
    }

    static String json(ExportQuery query) {
        try {
            return JSON.writeValueAsString(query.asMap());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ExportQuery query(String json) throws SQLException {
        try {
            JsonNode q = JSON.readTree(json);
            List<String> participants = new ArrayList<>();
            q.path("participants").forEach(p -> participants.add(p.asText()));
            List<String> conversations = new ArrayList<>();
            q.path("conversations").forEach(p -> conversations.add(p.asText()));
            return ExportQuery.of(Instant.parse(q.path("from").asText()), Instant.parse(q.path("to").asText()), participants, conversations,
                    q.path("format").asText(), q.path("markExported").asBoolean(), ExportQuery.Names.JSON);
        } catch (IOException | RuntimeException e) {
            throw new SQLException("unreadable export query " + json + ": " + e.getMessage(), e);
        }
    }

    private static ExportJob job(ResultSet rs) throws SQLException {
        return new ExportJob(rs.getString("id"), ExportJob.State.fromWire(rs.getString("state")), query(rs.getString("query")),
                rs.getString("requested_by"), instant(rs, "requested_at"), rs.getString("node"), Path.of(rs.getString("directory")),
                rs.getInt("attempts"), instant(rs, "started_at"), instant(rs, "finished_at"), longOrNull(rs, "records_total"),
                rs.getLong("records_done"), longOrNull(rs, "files"), longOrNull(rs, "bytes"), longOrNull(rs, "marked_exported"),
                rs.getString("manifest_sha256"), rs.getString("error"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static Timestamp timestamp(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
