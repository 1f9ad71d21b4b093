package io.archiver.store;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.record.RecordJson;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.util.HostSpec;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches of records into {@code archive.messages}, one transaction per batch, with exactly one
 * row per record id whatever is sent again, and without letting one bad record hold back the rest.
 *
 * <p>Design (measured): the common case is a batch of new records, so the fast path is two
 * {@code COPY ... FROM STDIN} (text format, see {@link CopyRows}) inside a savepoint, after
 * deduplicating the batch in Java by id (first wins): the ids into {@code archive.message_ids}, whose
 * primary key is the archive-wide uniqueness that the day-partitioned {@code archive.messages}
 * cannot enforce itself, then the rows into {@code archive.messages}. Always going through staging +
 * {@code INSERT ... ON CONFLICT DO NOTHING} measured about 0.6x of COPY, so the merge path is kept for
 * when it is needed: only when the id COPY fails with a unique violation (a redelivery or a retry
 * after a crash) does the batch roll back to the savepoint and take it: COPY into a per-connection
 * temporary staging table, insert the ids {@code ON CONFLICT DO NOTHING} and the rows of the ids that
 * went in, then copy the staged rows whose id is archived with a different content hash into
 * {@code archive.conflicts} ({@code ON CONFLICT DO NOTHING}, so seeing a conflict twice counts once).
 * A later version of an id within the same batch is written in a second round through the merge path,
 * so it becomes a conflict exactly as if it had come in a later batch.
 *
 * <p>Day partitions: before a batch, the partitions of its days are created if this process has not
 * seen them ({@link DayPartitions}); if one was dropped meanwhile by a purge the COPY fails with "no
 * partition found", and the batch is tried again after creating it.
 *
 * <p>Poison isolation: when a write fails with a data error (SQLState class 22, 23 other than the
 * handled unique violation, 54), the batch is split in halves under savepoints, recursively; a single
 * record the database still refuses goes to {@code archive.dead_letters} with the error as the reason,
 * and everything else commits. Transient errors (connection lost, shutdown, serialization failure,
 * deadlock, out of resources) roll everything back and surface as {@link TransientDatabaseException}
 * so the caller keeps its batch and retries.
 *
 * <p>Thread-safe: every call takes its own connection from the pool.
 */
public final class ArchiveWriter {

    private static final Logger log = LoggerFactory.getLogger(ArchiveWriter.class);

    static final String STAGING = "pg_temp.archive_staging";
    private static final String CREATE_STAGING = "CREATE TEMP TABLE IF NOT EXISTS archive_staging "
            + "(LIKE archive.messages INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";
    static final String IDS = ArchiveTable.IDS;
    private static final String MERGE_MESSAGES = "WITH fresh AS (INSERT INTO " + IDS + " (" + CopyRows.ID_COLUMNS + ") "
            + "SELECT " + CopyRows.ID_COLUMNS + " FROM " + STAGING + " ON CONFLICT (record_id) DO NOTHING RETURNING record_id) "
            + "INSERT INTO " + ArchiveTable.MESSAGES + " (" + CopyRows.COLUMNS + ") "
            + "SELECT " + prefixed("s", CopyRows.COLUMNS) + " FROM " + STAGING + " s JOIN fresh f ON f.record_id = s.record_id";
    private static final String MERGE_CONFLICTS = "INSERT INTO " + ArchiveTable.CONFLICTS + " (" + CopyRows.COLUMNS + ") "
            + "SELECT " + prefixed("s", CopyRows.COLUMNS) + " FROM " + STAGING + " s "
            + "JOIN " + IDS + " m ON m.record_id = s.record_id WHERE m.content_hash <> s.content_hash "
            + "ON CONFLICT (record_id, content_hash) DO NOTHING";
    private static final String INSERT_DEAD_LETTER = "INSERT INTO archive.dead_letters "
            + "(record_id, payload, reason, frontend, received_at, attempts) VALUES (?, ?, ?, ?, ?, 1)";

    private final DataSource dataSource;
    private final DayPartitions partitions = new DayPartitions();

    private final ServerMoves serverMoves;
    /** The server of the last commit and when it was, to notice the first commit on another one (a failover). */
    private final AtomicReference<Commit> lastCommit = new AtomicReference<>();

    /** Told of the first commit on another database server than the last commit's: writes resumed after a failover. */
    @FunctionalInterface
    public interface ServerMoves {
        ServerMoves NONE = (from, to, lastBefore, firstAfter) -> { };

        void moved(String from, String to, Instant lastCommitBefore, Instant firstCommitAfter);
    }

    private record Commit(String server, Instant at) {
    }

    public ArchiveWriter(DataSource dataSource) {
        this(dataSource, ServerMoves.NONE);
    }

    public ArchiveWriter(DataSource dataSource, ServerMoves serverMoves) {
        this.dataSource = dataSource;
        this.serverMoves = serverMoves;
    }

    /** Archives the records in one transaction. */
    public WriteResult write(List<Incoming> records) throws ArchiveWriteException {
        return write(records, List.of());
    }

    /**
     * Archives the records and dead-letters the rejections, all in one transaction: when this returns,
     * every one of them is durably accounted for; when it throws, nothing of it was committed.
     */
    public WriteResult write(List<Incoming> records, List<Rejection> rejections) throws ArchiveWriteException {
        if (records.isEmpty() && rejections.isEmpty()) {
            return WriteResult.NONE;
        }
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new TransientDatabaseException("cannot connect to the archive database: " + e.getMessage(), e);
        }
        try (connection) {
            try {
                // In auto-commit, so a new day's partition is there for everyone at once.
                partitions.ensure(connection, days(records));
            } catch (SQLException e) {
                throw classify(e, connection, records.size());
            }
            connection.setAutoCommit(false);
            try {
                WriteResult result = write(connection, records, (in, reason) -> deadLetter(connection, in, reason));
                insertDeadLetters(connection, rejections);
                connection.commit();
                committed(connection);
                return result.plus(new WriteResult(0, 0, 0, rejections.size()));
            } catch (SQLException | IOException | RuntimeException e) {
                rollbackQuietly(connection);
                throw classify(e, connection, records.size() + rejections.size());
            } finally {
                restoreAutoCommit(connection);
            }
        } catch (SQLException e) {
            throw new TransientDatabaseException("archive database connection failed: " + e.getMessage(), e);
        }
    }

    /**
     * Writes within the caller's transaction (auto-commit off). Records the database refuses even
     * alone are handed to {@code refused} with the reason; the caller decides where they go.
     */
    WriteResult write(Connection connection, List<Incoming> records, Refusals refused) throws SQLException, IOException {
        if (records.isEmpty()) {
            return WriteResult.NONE;
        }
        // Group by id: the first version of each id goes in round 0, a second distinct content in
        // round 1, and so on. Same id with the same content again is a duplicate right here.
        Map<String, List<Incoming>> versions = new LinkedHashMap<>(records.size() * 2);
        int duplicates = 0;
        for (Incoming in : records) {
            List<Incoming> seen = versions.computeIfAbsent(in.id(), k -> new ArrayList<>(1));
            if (seen.stream().anyMatch(in::sameContent)) {
                duplicates++;
            } else {
                seen.add(in);
            }
        }
        WriteResult total = new WriteResult(0, duplicates, 0, 0);
        Batch batch = new Batch(connection, refused, partitions);
        for (int round = 0; ; round++) {
            List<Incoming> rows = new ArrayList<>(round == 0 ? versions.size() : 4);
            for (List<Incoming> list : versions.values()) {
                if (list.size() > round) {
                    rows.add(list.get(round));
                }
            }
            if (rows.isEmpty()) {
                return total;
            }
            total = total.plus(batch.write(rows, round > 0));
        }
    }

    private static List<java.time.LocalDate> days(List<Incoming> records) {
        java.util.Set<java.time.LocalDate> days = new java.util.HashSet<>();
        for (Incoming in : records) {
            days.add(DayPartitions.dayOf(in.record().sentAt()));
        }
        return new ArrayList<>(days);
    }

    /** Where a record refused by the database goes. */
    @FunctionalInterface
    interface Refusals {
        void refuse(Incoming record, String reason) throws SQLException;
    }

    /** One transaction's worth of writing, with the connection's COPY API at hand. */
    private static final class Batch {
        private final Connection connection;
        private final PGConnection pg;
        private final Refusals refused;
        private final DayPartitions partitions;
        private boolean stagingReady;
        private boolean partitionsRefreshed;

        Batch(Connection connection, Refusals refused, DayPartitions partitions) throws SQLException {
            this.connection = connection;
            this.pg = connection.unwrap(PGConnection.class);
            this.refused = refused;
            this.partitions = partitions;
        }

        /** Rows unique by id; {@code merge} when some of them are known to be archived already. */
        WriteResult write(List<Incoming> rows, boolean merge) throws SQLException, IOException {
            if (rows.isEmpty()) {
                return WriteResult.NONE;
            }
            Savepoint savepoint = connection.setSavepoint();
            try {
                WriteResult result = merge ? merge(rows) : copy(rows);
                connection.releaseSavepoint(savepoint);
                return result;
            } catch (SQLException e) {
                connection.rollback(savepoint);
                connection.releaseSavepoint(savepoint);
                if (!merge && SqlErrors.isUniqueViolation(e)) {
                    return write(rows, true);
                }
                if (SqlErrors.isMissingPartition(e) && !partitionsRefreshed) {
                    // A purge dropped a day this process had seen: create it again, in this transaction.
                    partitionsRefreshed = true;
                    partitions.forget();
                    partitions.ensure(connection, days(rows));
                    return write(rows, merge);
                }
                if (SqlErrors.isDataError(e)) {
                    return isolate(rows, merge, e);
                }
                throw e;
            }
        }

        private WriteResult isolate(List<Incoming> rows, boolean merge, SQLException error) throws SQLException, IOException {
            if (rows.size() == 1) {
                String reason = SqlErrors.reason(error);
                log.warn("record {} refused by the database, set aside: {}", rows.get(0).id(), reason);
                refused.refuse(rows.get(0), reason);
                return new WriteResult(0, 0, 0, 1);
            }
            int half = rows.size() / 2;
            return write(rows.subList(0, half), merge).plus(write(rows.subList(half, rows.size()), merge));
        }

        private WriteResult copy(List<Incoming> rows) throws SQLException, IOException {
            copyInto(CopyRows.copyIdsSql(IDS), rows, CopyRows::writeIds);
            long copied = copyInto(CopyRows.copySql("archive.messages"), rows, CopyRows::write);
            return new WriteResult((int) copied, 0, 0, 0);
        }

        private WriteResult merge(List<Incoming> rows) throws SQLException, IOException {
            try (Statement statement = connection.createStatement()) {
                if (!stagingReady) {
                    statement.execute(CREATE_STAGING);
                    stagingReady = true;
                }
                statement.execute("TRUNCATE " + STAGING);
                copyInto(CopyRows.copySql(STAGING), rows, CopyRows::write);
                int inserted = statement.executeUpdate(MERGE_MESSAGES);
                int conflicts = statement.executeUpdate(MERGE_CONFLICTS);
                if (conflicts > 0) {
                    log.warn("{} record(s) arrived again with different content; kept in archive.conflicts", conflicts);
                }
                return new WriteResult(inserted, rows.size() - inserted - conflicts, conflicts, 0);
            } catch (SQLException | IOException e) {
                // The staging table may have been created inside the savepoint being rolled back.
                stagingReady = false;
                throw e;
            }
        }

        private long copyInto(String copySql, List<Incoming> rows, RowEncoder encoder) throws SQLException, IOException {
            CopyIn copy = pg.getCopyAPI().copyIn(copySql);
            try {
                try (CopyInStream out = new CopyInStream(copy)) {
                    encoder.write(rows, out);
                }
                return copy.endCopy();
            } catch (CopyFailure e) {
                throw e.sqlException;
            } finally {
                if (copy.isActive()) {
                    try {
                        copy.cancelCopy();
                    } catch (SQLException ignored) {
                        // the error that got us here is the one worth reporting
                    }
                }
            }
        }
    }

    /** Encodes rows for one COPY ({@link CopyRows#write} or {@link CopyRows#writeIds}). */
    @FunctionalInterface
    private interface RowEncoder {
        void write(List<Incoming> rows, OutputStream out) throws IOException;
    }

    /** Buffers COPY data and hands it to the driver in 64 KiB pieces. */
    private static final class CopyInStream extends OutputStream {
        private final CopyIn copy;
        private final byte[] buffer = new byte[64 * 1024];
        private int used;

        CopyInStream(CopyIn copy) {
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            if (used == buffer.length) {
                flushBuffer();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (length >= buffer.length) {
                flushBuffer();
                send(bytes, offset, length);
                return;
            }
            if (used + length > buffer.length) {
                flushBuffer();
            }
            System.arraycopy(bytes, offset, buffer, used, length);
            used += length;
        }

        @Override
        public void close() throws IOException {
            flushBuffer();
        }

        private void flushBuffer() throws IOException {
            if (used > 0) {
                send(buffer, 0, used);
                used = 0;
            }
        }

        private void send(byte[] bytes, int offset, int length) throws IOException {
            try {
                copy.writeToCopy(bytes, offset, length);
            } catch (SQLException e) {
                throw new CopyFailure(e);
            }
        }
    }

    /** Carries a driver error out of an OutputStream. */
    private static final class CopyFailure extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient SQLException sqlException;

        CopyFailure(SQLException e) {
            super(e.getMessage(), e);
            this.sqlException = e;
        }
    }

    private static void deadLetter(Connection connection, Incoming in, String reason) throws SQLException {
        insertDeadLetters(connection, List.of(new Rejection(in.id(), RecordJson.toJson(in.record()),
                reason, in.frontend(), in.receivedAt())));
    }

    static void insertDeadLetters(Connection connection, List<Rejection> rejections) throws SQLException {
        if (rejections.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT_DEAD_LETTER)) {
            for (Rejection r : rejections) {
                setText(insert, 1, r.recordId());
                insert.setString(2, clean(r.payload()));
                insert.setString(3, clean(SqlErrors.truncate(r.reason())));
                setText(insert, 4, r.frontend());
                if (r.receivedAt() == null) {
                    insert.setNull(5, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    insert.setTimestamp(5, Timestamp.from(r.receivedAt()));
                }
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void setText(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, clean(value));
        }
    }

    /** PostgreSQL text cannot hold NUL; a dead letter must never fail for that. */
    private static String clean(String text) {
        return text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    /**
     * Notes which server took the commit. The pool follows the primary by itself (the URL's
     * targetServerType=primary), and a failover can pass unseen by the writer (a connection request that
     * waits through it): the server changing is what tells that writes resumed on a new primary.
     */
    private void committed(Connection connection) {
        String server;
        try {
            HostSpec host = connection.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec();
            server = host.getHost() + ":" + host.getPort();
        } catch (SQLException | RuntimeException e) {
            return;
        }
        Commit now = new Commit(server, Instant.now());
        Commit before = lastCommit.getAndSet(now);
        if (before != null && !before.server().equals(server)) {
            log.info("archive writes resumed on {} (last commit on {} at {})", server, before.server(), before.at());
            serverMoves.moved(before.server(), server, before.at(), now.at());
        }
    }

    private ArchiveWriteException classify(Exception e, Connection connection, int count) {
        String what = "writing a batch of " + count + " to the archive database failed: " + e.getMessage();
        if (SqlErrors.isReadOnly(e) && dataSource instanceof HikariDataSource pool) {
            // The connection reaches a server that no longer takes writes (an old primary fenced after a
            // failover). It stays valid, so the pool would hand it out again: drop it, and the next
            // connection finds the primary through the URL's targetServerType=primary.
            pool.evictConnection(connection);
        }
        if (SqlErrors.isTransient(e) || SqlErrors.connectionLost(connection)) {
            return new TransientDatabaseException(what, e);
        }
        return new ArchiveWriteException(what, e);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.isClosed()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            log.debug("rollback after a failed write failed too", e);
        }
    }

    private static void restoreAutoCommit(Connection connection) {
        try {
            if (!connection.isClosed()) {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            log.debug("could not restore auto-commit", e);
        }
    }

    private static String prefixed(String alias, String columns) {
        StringBuilder out = new StringBuilder();
        for (String column : columns.split(",\\s*")) {
            out.append(out.length() == 0 ? "" : ", ").append(alias).append('.').append(column);
        }
        return out.toString();
    }
}
