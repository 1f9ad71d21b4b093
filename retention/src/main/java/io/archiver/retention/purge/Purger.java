package io.archiver.retention.purge;

import io.archiver.store.ArchiveTable;
import io.archiver.store.AdvisoryLocks;
import io.archiver.retention.RetentionSettings;
import io.archiver.core.text.Plural;
import io.archiver.store.AuditLog;
import io.archiver.store.DayPartitions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what retention says may go, never a record under a legal hold, without stalling ingest.
 *
 * <p>How (issue 3, item 6): the archive is partitioned by UTC day. A day wholly past retention whose
 * records may (nearly) all go leaves as a table: renamed {@code messages_pYYYYMMDD_expired}, detached
 * with {@code DETACH PARTITION ... CONCURRENTLY} (no lock that blocks the writer), then, under a share
 * lock on {@code archive.holds} so that no hold can slip in between the check and the decision, the
 * rows that must stay after all (a hold placed meanwhile, a longer override, not exported) are moved
 * back; the day's ids leave {@code archive.message_ids} in bounded batches of block ranges, and the
 * table is dropped. Any other day loses its eligible rows in bounded batches (oldest first), each in a
 * transaction that holds the same share lock. Between batches the purge rests
 * ({@code retention.batchPause}), so the writer keeps the machine.
 *
 * <p>One purge at a time, cluster-wide: a session advisory lock, which PostgreSQL releases by itself
 * when the purging process dies. The next purge (on any node, e.g. the Quartz job recovered by the
 * other node) marks the dead run {@code interrupted} and finishes its half-dropped days first. Every
 * run, dry or not, is a row in {@code archive.purge_runs} and one in {@code archive.audit_log}.
 */
public final class Purger {

    private static final Logger log = LoggerFactory.getLogger(Purger.class);
    /** The cluster-wide advisory lock of purges; integrity sealing and verify take it too. */
    private static final long LOCK_KEY = AdvisoryLocks.PURGE;
    /** Eligible share above which a whole day is dropped and the few keepers moved back. */
    private static final double DROP_WHOLE_DAY_SHARE = 0.9;

    /** Told how far the purge has got: records removed so far, of those it expects to remove. */
    @FunctionalInterface
    public interface Progress {
        void update(long done, long total);

        Progress NONE = (done, total) -> { };
    }

    private final DataSource dataSource;
    private final RetentionSettings settings;
    private final String nodeName;

    public Purger(DataSource dataSource, RetentionSettings settings, String nodeName) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.nodeName = nodeName;
    }

    public RetentionSettings settings() {
        return settings;
    }

    /**
     * Runs one purge. A scheduled purge waits for a running one to finish; a manual one does not
     * ({@link PurgeBusyException}). {@code cancelled} is asked between batches (node shutting down).
     */
    public PurgeStatistics run(PurgeRequest request, Progress progress, BooleanSupplier cancelled)
            throws PurgeBusyException, SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            lock(connection, request);
            try {
                return runLocked(connection, request, progress, cancelled);
            } finally {
                try (Statement s = connection.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock_all()");
                    PurgeRule.uninstall(connection);
                } catch (SQLException e) {
                    log.debug("releasing the purge lock failed; the connection goes with it", e);
                }
            }
        }
    }

    private void lock(Connection connection, PurgeRequest request) throws SQLException, PurgeBusyException {
        try (Statement s = connection.createStatement()) {
            if (request.scheduled()) {
                s.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
                return;
            }
            try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
            }
            String running = "another purge";
            try (ResultSet rs = s.executeQuery("SELECT id, node, started_at FROM archive.purge_runs WHERE state = 'running' ORDER BY id DESC LIMIT 1")) {
                if (rs.next()) {
                    running = "purge run " + rs.getLong(1) + " (node " + rs.getString(2) + ", started " + rs.getTimestamp(3).toInstant() + ")";
                }
            }
            throw new PurgeBusyException(running + " is in progress; one purge runs at a time: try again when it has finished");
        }
    }

    private PurgeStatistics runLocked(Connection connection, PurgeRequest request, Progress progress, BooleanSupplier cancelled)
            throws SQLException {
        long started = System.nanoTime();
        Instant now = Instant.now();
        List<Long> recovered = markDeadRunsInterrupted(connection);
        long runId = startRun(connection, request);
        log.info("purge run {} ({}{}) started: {}", runId, request.trigger().wireName(), request.dryRun() ? ", dry run" : "", request.parameters());
        Run run = new Run(connection, request, new PurgeRule(now, request, settings.overrides()), progress, cancelled);
        try {
            run.rule.install(connection);
            if (!request.dryRun()) {
                run.finishExpiredTables();
            }
            run.purgeDays();
            if (!request.dryRun()) {
                run.dropEmptyExpiredDays();
            }
            String state = run.interrupted ? "interrupted" : "done";
            PurgeStatistics stats = run.statistics(runId, recovered, (System.nanoTime() - started) / 1_000_000);
            finishRun(connection, runId, state, null, request, stats);
            log.info("purge run {} {}: {} {}, {} held back, {} not exported, {} {}, {} ms", runId, state,
                    request.dryRun() ? "would purge" : "purged", Plural.of(stats.purged(), "record"), stats.heldBack(), stats.notExported(),
                    request.dryRun() ? "would drop" : "dropped", Plural.of(stats.partitionsDropped(), "day partition"), stats.durationMillis());
            return stats;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(connection);
            PurgeStatistics partial = run.statistics(runId, recovered, (System.nanoTime() - started) / 1_000_000);
            try {
                finishRun(connection, runId, "failed", e.getMessage(), request, partial);
            } catch (SQLException f) {
                e.addSuppressed(f);
            }
            throw e;
        }
    }

    private List<Long> markDeadRunsInterrupted(Connection connection) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("UPDATE archive.purge_runs SET state = 'interrupted', finished_at = now(), "
                     + "error = 'its process stopped before the purge finished; a later run finished the work' "
                     + "WHERE state = 'running' RETURNING id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        if (!ids.isEmpty()) {
            log.warn("purge run(s) {} stopped with their process; this run finishes their work", ids);
        }
        return ids;
    }

    private long startRun(Connection connection, PurgeRequest request) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO archive.purge_runs (trigger, dry_run, parameters, node, state) "
                + "VALUES (?, ?, ?::jsonb, ?, 'running') RETURNING id")) {
            insert.setString(1, request.trigger().wireName());
            insert.setBoolean(2, request.dryRun());
            insert.setString(3, Json.write(request.parameters()));
            insert.setString(4, nodeName);
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void finishRun(Connection connection, long runId, String state, String error, PurgeRequest request,
                                  PurgeStatistics stats) throws SQLException {
        connection.setAutoCommit(false);
        try (PreparedStatement update = connection.prepareStatement("UPDATE archive.purge_runs SET finished_at = now(), state = ?, "
                + "purged = ?, held_back = ?, not_exported = ?, details = ?::jsonb, error = ? WHERE id = ?")) {
            update.setString(1, state);
            update.setLong(2, stats.purged());
            update.setLong(3, stats.heldBack());
            update.setLong(4, stats.notExported());
            update.setString(5, Json.write(stats.toMap()));
            update.setString(6, error);
            update.setLong(7, runId);
            update.executeUpdate();
            Map<String, Object> result = new LinkedHashMap<>(stats.toMap());
            result.put("state", state);
            if (error != null) {
                result.put("error", error);
            }
            AuditLog.record(connection, request.actor(), request.dryRun() ? "purge.dry-run" : "purge", request.parameters(), result);
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly(connection);
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            log.debug("rollback after a failed purge step failed too", e);
        }
    }

    /** The state of one run: its connection, counts so far. */
    private final class Run {
        private final Connection connection;
        private final PurgeRequest request;
        private final PurgeRule rule;
        private final Progress progress;
        private final BooleanSupplier cancelled;
        private final SortedMap<LocalDate, PurgeStatistics.DayCount> perDay = new TreeMap<>();
        private long purged;
        private long heldBack;
        private long notExported;
        private long remaining;
        private long expectedTotal;
        private int partitionsDropped;
        private boolean interrupted;

        Run(Connection connection, PurgeRequest request, PurgeRule rule, Progress progress, BooleanSupplier cancelled) {
            this.connection = connection;
            this.request = request;
            this.rule = rule;
            this.progress = progress;
            this.cancelled = cancelled;
        }

        PurgeStatistics statistics(long runId, List<Long> recovered, long millis) {
            return new PurgeStatistics(runId, request.dryRun(), purged, heldBack, notExported, partitionsDropped, remaining,
                    new TreeMap<>(perDay), millis, recovered);
        }

        /** Days the survey found with candidates, oldest first: whole-day drop or bounded batches. */
        void purgeDays() throws SQLException {
            List<DaySurvey> days = survey();
            long budget = request.maxRecords() == null ? Long.MAX_VALUE : request.maxRecords();
            for (DaySurvey day : days) {
                expectedTotal += Math.min(day.eligible(), Math.max(0, budget - expectedTotal));
            }
            progress.update(0, expectedTotal);
            Instant cutoff = rule.candidateCutoff();
            for (DaySurvey day : days) {
                long take = Math.min(day.eligible(), budget);
                long removed = 0;
                if (interrupted || take == 0) {
                    removed = 0;
                } else if (request.dryRun()) {
                    removed = take;
                } else if (!dayEnd(day.day()).isAfter(cutoff) && take == day.eligible() && budget >= day.total()
                        && day.eligible() >= DROP_WHOLE_DAY_SHARE * day.total()) {
                    removed = dropDay(day.day());
                } else {
                    removed = deleteInBatches(day.day(), take);
                }
                budget -= removed;
                remaining += Math.max(0, day.eligible() - removed);
                count(day.day(), removed, day.held(), day.notExported());
            }
        }

        private void count(LocalDate day, long removed, long held, long kept) {
            purged += removed;
            heldBack += held;
            notExported += kept;
            perDay.merge(day, new PurgeStatistics.DayCount(removed, held, kept), (a, b) ->
                    new PurgeStatistics.DayCount(a.purged() + b.purged(), a.heldBack() + b.heldBack(), a.notExported() + b.notExported()));
        }

        private List<DaySurvey> survey() throws SQLException {
            boolean anyHold = PurgeRule.anyActiveHold(connection);
            String sql = "SELECT (m.sent_at AT TIME ZONE 'UTC')::date AS day, count(*) AS total, "
                    + "count(*) FILTER (WHERE x.expired) AS expired, "
                    + "count(*) FILTER (WHERE x.expired AND x.held) AS held, "
                    + "count(*) FILTER (WHERE x.expired AND NOT x.held AND x.not_exported) AS not_exported "
                    + "FROM " + PurgeRule.from("archive.messages")
                    + " CROSS JOIN LATERAL (SELECT " + rule.expired() + " AS expired, " + PurgeRule.held(anyHold) + " AS held, "
                    + rule.notExported() + " AS not_exported) x "
                    + "WHERE m.sent_at < " + PurgeRule.literal(rule.candidateCutoff()) + " GROUP BY 1 ORDER BY 1";
            List<DaySurvey> days = new ArrayList<>();
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    days.add(new DaySurvey(rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                }
            }
            return days;
        }

        /** Up to {@code limit} eligible rows of one day, oldest first, a batch per transaction. */
        private long deleteInBatches(LocalDate day, long limit) throws SQLException {
            String partition = "archive." + partitionName(day);
            long removed = 0;
            while (removed < limit) {
                if (cancelled.getAsBoolean()) {
                    interrupted = true;
                    break;
                }
                long batch = Math.min(settings.batchRecords(), limit - removed);
                int gone = inTransaction(() -> {
                    boolean anyHold = lockHolds();
                    String sql = "WITH doomed AS (SELECT m.ctid AS tid FROM " + PurgeRule.from(partition)
                            + " WHERE " + rule.eligible(anyHold) + " ORDER BY m.sent_at LIMIT " + batch + "), "
                            + "gone AS (DELETE FROM " + partition + " m WHERE m.ctid = ANY (ARRAY(SELECT tid FROM doomed)) RETURNING m.record_id) "
                            + "DELETE FROM archive.message_ids i USING gone g WHERE i.record_id = g.record_id";
                    try (Statement s = connection.createStatement()) {
                        return s.executeUpdate(sql);
                    }
                });
                removed += gone;
                progress.update(purged + removed, expectedTotal);
                if (gone < batch) {
                    break;
                }
                rest();
            }
            return removed;
        }

        /** The whole day's partition goes; returns the records it took. */
        private long dropDay(LocalDate day) throws SQLException {
            String name = partitionName(day);
            String expired = name + "_expired";
            try (Statement s = connection.createStatement()) {
                s.execute("ALTER TABLE archive." + name + " RENAME TO " + expired);
            }
            return finishExpiredTable(expired, day);
        }

        /** Detach (if still attached), move keepers back, unlink ids, drop. Also finishes a dead run's table. */
        private long finishExpiredTable(String table, LocalDate day) throws SQLException {
            String qualified = "archive." + table;
            detach(table);
            // One scan counts the day and its keepers; the keepers go back in the same transaction.
            long[] counts = new long[2];
            inTransaction(() -> {
                boolean anyHold = lockHolds();
                String keep = "NOT (" + rule.eligible(anyHold) + ")";
                try (Statement s = connection.createStatement()) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE " + keep + ") FROM "
                            + PurgeRule.from(qualified))) {
                        rs.next();
                        counts[0] = rs.getLong(1);
                        counts[1] = rs.getLong(2);
                    }
                    if (counts[1] > 0) {
                        s.execute("SELECT archive.ensure_day_partition('" + day + "')");
                        s.executeUpdate("WITH back AS (DELETE FROM " + qualified + " m USING " + PurgeRule.RULE_TABLE + " r WHERE "
                                + keep + " RETURNING m.*) INSERT INTO archive.messages SELECT * FROM back");
                    }
                    return 0;
                }
            });
            long moved = counts[1];
            if (moved > 0) {
                log.info("{}: {} record(s) kept (hold, override or not exported) moved back into the archive", day, moved);
            }
            long records = counts[0] - moved;
            unlinkIds(qualified, records);
            try (Statement s = connection.createStatement()) {
                s.execute("DROP TABLE " + qualified);
            }
            partitionsDropped++;
            progress.update(purged + records, expectedTotal);
            log.info("{}: day partition dropped, {} record(s)", day, records);
            return records;
        }

        private void detach(String table) throws SQLException {
            String state;
            try (PreparedStatement s = connection.prepareStatement("SELECT i.inhdetachpending FROM pg_inherits i JOIN pg_class c "
                    + "ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'archive' AND c.relname = ?")) {
                s.setString(1, table);
                try (ResultSet rs = s.executeQuery()) {
                    state = !rs.next() ? "detached" : rs.getBoolean(1) ? "pending" : "attached";
                }
            }
            try (Statement s = connection.createStatement()) {
                if (state.equals("attached")) {
                    s.execute("ALTER TABLE archive.messages DETACH PARTITION archive." + table + " CONCURRENTLY");
                } else if (state.equals("pending")) {
                    s.execute("ALTER TABLE archive.messages DETACH PARTITION archive." + table + " FINALIZE");
                }
            }
        }

        /** Deletes the ids of a detached day from archive.message_ids, a range of its blocks per transaction. */
        private void unlinkIds(String table, long records) throws SQLException {
            long blocks;
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_relation_size('" + table + "') / current_setting('block_size')::bigint")) {
                rs.next();
                blocks = rs.getLong(1);
            }
            if (blocks == 0 || records == 0) {
                return;
            }
            long step = Math.max(1, blocks * settings.batchRecords() / records);
            for (long from = 0; from < blocks; from += step) {
                long start = from;
                long end = Math.min(blocks, from + step);
                inTransaction(() -> {
                    try (Statement s = connection.createStatement()) {
                        // A nested loop over the id index, never a hash of all ids.
                        s.execute("SET LOCAL enable_hashjoin = off");
                        s.execute("SET LOCAL enable_mergejoin = off");
                        return s.executeUpdate("DELETE FROM archive.message_ids i USING " + table + " d WHERE d.ctid >= '(" + start
                                + ",0)'::tid AND d.ctid < '(" + end + ",0)'::tid AND i.record_id = d.record_id");
                    }
                });
                if (end < blocks) {
                    rest();
                }
            }
        }

        /** Tables a dead run renamed and did not drop: finish them under this run's rule. */
        void finishExpiredTables() throws SQLException {
            List<String> tables = new ArrayList<>();
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                         + "WHERE n.nspname = 'archive' AND c.relkind = 'r' AND c.relname ~ '" + ArchiveTable.EXPIRED_PARTITION_REGEX + "' ORDER BY 1")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String table : tables) {
                LocalDate day = ArchiveTable.dayOfExpiredPartition(table).orElseThrow();
                log.info("finishing {} left by an interrupted purge", table);
                long records = finishExpiredTable(table, day);
                count(day, records, 0, 0);
            }
        }

        /** Partitions of days wholly past every retention that hold nothing (made ahead, or emptied). */
        void dropEmptyExpiredDays() throws SQLException {
            Instant cutoff = rule.candidateCutoff();
            List<LocalDate> days = new ArrayList<>();
            try (Connection c = dataSource.getConnection()) {
                for (LocalDate day : DayPartitions.existing(c)) {
                    if (!dayEnd(day).isAfter(cutoff)) {
                        days.add(day);
                    }
                }
            }
            for (LocalDate day : days) {
                if (interrupted || cancelled.getAsBoolean()) {
                    return;
                }
                boolean empty;
                try (Statement s = connection.createStatement();
                     ResultSet rs = s.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM archive." + partitionName(day) + ")")) {
                    rs.next();
                    empty = rs.getBoolean(1);
                }
                if (empty) {
                    dropDay(day);
                }
            }
        }

        /** Takes the share lock on holds for the current transaction; says whether any hold is active. */
        private boolean lockHolds() throws SQLException {
            try (Statement s = connection.createStatement()) {
                s.execute("LOCK TABLE archive.holds IN SHARE MODE");
            }
            return PurgeRule.anyActiveHold(connection);
        }

        private int inTransaction(SqlWork work) throws SQLException {
            connection.setAutoCommit(false);
            try {
                int result = work.run();
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }

        private void rest() {
            long millis = settings.batchPause().toMillis();
            if (millis <= 0) {
                return;
            }
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                interrupted = true;
            }
        }
    }

    @FunctionalInterface
    private interface SqlWork {
        int run() throws SQLException;
    }

    /** One day's candidates: all rows older than the candidate cut-off, and how they split. */
    private record DaySurvey(LocalDate day, long total, long expired, long held, long notExported) {
        long eligible() {
            return expired - held - notExported;
        }
    }

    static String partitionName(LocalDate day) {
        return ArchiveTable.partition(day);
    }

    private static Instant dayEnd(LocalDate day) {
        return day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }
}
