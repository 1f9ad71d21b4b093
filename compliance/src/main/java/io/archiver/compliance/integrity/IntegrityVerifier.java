package io.archiver.compliance.integrity;

import io.archiver.store.ArchiveTable;
import io.archiver.store.AdvisoryLocks;
import io.archiver.compliance.integrity.VerifyReport.DayReport;
import io.archiver.compliance.integrity.VerifyReport.Finding;
import io.archiver.compliance.integrity.VerifyReport.Status;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * {@code ./archiver verify}: checks the stored archive against its seals, one UTC day at a time.
 *
 * <ol>
 *   <li>The seal log ({@link ChainCheck}): every entry chained to the one before, unaltered, signed when
 *       {@code integrity.key} is set; the head the last verify saw still there.</li>
 *   <li>Ids in {@code archive.message_ids} without their record and not sealed (one pass over the ids of
 *       the range).</li>
 *   <li>Each day ({@link DayCheck}, a server-side cursor in a REPEATABLE READ read-only transaction): every
 *       record's content hash recomputed from its columns; every record against the sealed list (changed,
 *       inserted, removed); removals against the recorded purges ({@link PurgeLedger}); the sealed list
 *       against the seal's root and count.</li>
 * </ol>
 *
 * Each day is checked while holding the purge's advisory lock (waiting for a running purge to finish), so
 * that a purge half-way through a day is never taken for tampering; a manual purge asked for meanwhile
 * is refused as busy. The run is recorded in the audit log (action {@code verify}) with the log's head.
 */
public final class IntegrityVerifier {

    private final DataSource dataSource;
    private final IntegritySettings settings;

    /** What to verify: days meeting [from, to) (either open), and who asks (for the audit log). */
    public record Request(Instant from, Instant to, String actor) {
        Map<String, Object> parameters() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("from", from == null ? null : from.toString());
            p.put("to", to == null ? null : to.toString());
            return p;
        }
    }

    /** Told how far the check has got. */
    public interface Progress {
        Progress NONE = new Progress() {
        };

        /** The days to check are known. */
        default void started(int days) {
        }

        /** Records of the day being checked read so far, and records of the earlier days. */
        default void records(LocalDate day, long dayRecords, long earlierRecords) {
        }

        /** A day is done. */
        default void dayDone(DayReport report, int done, int days) {
        }

        /** Waiting for a purge to end before checking a day. */
        default void waiting(String why) {
        }
    }

    public IntegrityVerifier(DataSource dataSource, IntegritySettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    public VerifyReport verify(Request request, Progress progress) throws SQLException {
        Instant started = Instant.now();
        long startNanos = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            VerifyReport.ChainReport chain = ChainCheck.run(connection, settings.key());
            Map<LocalDate, SealEntry> seals = new HashMap<>();
            for (SealEntry seal : SealStore.currentSeals(connection)) {
                seals.put(seal.day(), seal);
            }
            Set<LocalDate> days = new TreeSet<>(DayPartitions.existing(connection));
            days.addAll(seals.keySet());
            days.addAll(sealedListDays(connection));
            LocalDate fromDay = request.from() == null ? null : LocalDate.ofInstant(request.from(), ZoneOffset.UTC);
            LocalDate toDay = request.to() == null ? null : LocalDate.ofInstant(request.to().minusNanos(1), ZoneOffset.UTC);
            Map<LocalDate, IdList> orphans = orphans(connection, fromDay == null ? null : DayCheck.start(fromDay),
                    toDay == null ? null : DayCheck.end(toDay), progress);
            days.addAll(orphans.keySet());
            days.removeIf(d -> (fromDay != null && d.isBefore(fromDay)) || (toDay != null && d.isAfter(toDay)));
            progress.started(days.size());

            LocalDate lastSealable = new IntegritySealer(dataSource, settings, "verify").lastSealableDay(started);
            SealSchedule schedule = new SealSchedule(settings);
            List<DayReport> reports = new ArrayList<>();
            long records = 0;
            int done = 0;
            for (LocalDate day : days) {
                DayReport report = verifyDay(connection, day, orphans.getOrDefault(day, new IdList()), lastSealable, records, progress);
                if (report != null && (report.status() == Status.OPEN || report.status() == Status.UNSEALED)) {
                    report = new DayReport(report.day(), report.status(), report.records(), report.sealedRecords(), report.sealedAt(),
                            report.sealSeq(), report.purged(), report.findings(), report.notes(),
                            schedule.describe(day, started, report.status() == Status.UNSEALED), schedule.sealableAt(day),
                            schedule.expectedSealAt(day, started));
                }
                done++;
                if (report != null) {
                    reports.add(report);
                    records += report.records();
                    progress.dayDone(report, done, days.size());
                }
            }
            VerifyReport report = new VerifyReport(fromDay, toDay, started, (System.nanoTime() - startNanos) / 1_000_000, records,
                    reports, chain);
            AuditLog.record(connection, request.actor(), "verify", request.parameters(), report.summary());
            return report;
        }
    }

    private DayReport verifyDay(Connection connection, LocalDate day, IdList orphans, LocalDate lastSealable, long earlier,
                                Progress progress) throws SQLException {
        if (!SealStore.tryLock(connection, AdvisoryLocks.PURGE)) {
            progress.waiting("a purge is running; waiting for it to finish before checking " + day);
            SealStore.lock(connection, AdvisoryLocks.PURGE);
        }
        int isolation = connection.getTransactionIsolation();
        try {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try {
                return checkDay(connection, day, orphans, lastSealable, earlier, progress);
            } finally {
                connection.rollback();
                connection.setReadOnly(false);
                connection.setAutoCommit(true);
                connection.setTransactionIsolation(isolation);
            }
        } finally {
            SealStore.unlock(connection, AdvisoryLocks.PURGE);
        }
    }

    private DayReport checkDay(Connection connection, LocalDate day, IdList orphans, LocalDate lastSealable, long earlier,
                               Progress progress) throws SQLException {
        SealEntry seal = SealStore.current(connection, day, false).orElse(null);
        DayCheck check = DayCheck.run(connection, day, seal == null ? null : seal.sealedAt(), true,
                n -> progress.records(day, n, earlier));
        if (seal == null && check.present == 0 && check.sealedCount == 0 && orphans.isEmpty()) {
            return null; // an empty partition: nothing to report
        }
        List<Finding> findings = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        boolean expiredTable = expiredTableExists(connection, day);
        if (seal == null && check.sealedCount > 0) {
            findings.add(new Finding(Finding.SEAL_MISSING, check.sealedCount, List.of(), "the day's sealed record list ("
                    + Plural.of(check.sealedCount, "record") + ") is there but its seal is gone: the seal was removed"));
        }
        if (seal != null && (check.sealedCount != seal.records() || !java.util.Arrays.equals(check.sealedRoot, seal.root()))) {
            findings.add(new Finding(Finding.SEAL_ALTERED, Math.abs(check.sealedCount - seal.records()), List.of(),
                    "the day's sealed record list (" + Plural.of(check.sealedCount, "record")
                            + ") does not give its seal's root (" + Plural.of(seal.records(), "record") + ", entry " + seal.seq() + "): the list was altered, so the record-by-record comparison "
                            + "below is against an altered list"));
        }
        add(findings, Finding.CONTENT_CHANGED, check.contentChanged, "the content no longer gives the stored content hash: "
                + "a column (body, sender, recipients, ...) was changed");
        add(findings, Finding.CHANGED, check.changed, "content hash or sent_at differs from the seal: the record was changed and its "
                + "hash made to match");
        add(findings, Finding.INSERTED, check.inserted, "not in the seal, archived after it: a record that arrived late and is not "
                + "sealed yet (the seal job takes it in at its next run), or one inserted behind the archive's back");
        add(findings, Finding.INSERTED_BEFORE_SEAL, check.insertedBeforeSeal, "not in the seal although archived before it: "
                + "inserted behind the archive's back");
        if (expiredTable && (!check.removedOutsidePurge.isEmpty() || !orphans.isEmpty())) {
            notes.add(Plural.of(check.removedOutsidePurge.count() + orphans.count(), "record")
                    + (check.removedOutsidePurge.count() + orphans.count() == 1 ? " is" : " are") + " in archive." + Purgeable.expiredTable(day)
                    + ", detached by a purge that did not finish; the next purge finishes the day");
        } else {
            add(findings, Finding.REMOVED_OUTSIDE_PURGE, check.removedOutsidePurge, "gone from archive.messages but still listed in "
                    + "archive.message_ids: removed behind the archive's back (a purge removes both)");
            add(findings, Finding.ORPHAN_ID, orphans, "listed in archive.message_ids without a record in archive.messages: "
                    + "removed behind the archive's back (a purge removes both)");
        }
        add(findings, Finding.NOT_IN_MESSAGE_IDS, check.notInMessageIds, "not listed in archive.message_ids, which the archive "
                + "writes with every record: inserted behind the archive's back");
        add(findings, Finding.MESSAGE_IDS_DIFFER, check.messageIdsDiffer, "archive.message_ids holds another content hash or "
                + "sent_at for it: changed behind the archive's back");
        long purged = 0;
        if (!check.removed.isEmpty()) {
            if (seal == null) {
                add(findings, Finding.REMOVED, check.removed, "in the day's sealed list, gone");
            } else {
                PurgeLedger.Accounting accounting = PurgeLedger.since(connection, day, seal.sealedAt()).account(check.removed.count());
                if (accounting.accounted()) {
                    purged = check.removed.count();
                    notes.add(accounting.describe() + " after the seal" + (accounting.unverified() ? " (count not checkable)" : ""));
                } else {
                    add(findings, Finding.REMOVED, check.removed, "sealed and gone: " + accounting.describe());
                }
            }
        }
        if (seal != null && !seal.note().equals("sealed")) {
            notes.add("seal entry " + seal.seq() + ": " + seal.note());
        }
        Status status;
        if (!findings.isEmpty()) {
            status = Status.MISMATCH;
        } else if (seal != null) {
            status = Status.OK;
        } else if (day.isAfter(lastSealable)) {
            status = Status.OPEN;
        } else {
            status = Status.UNSEALED;
            notes.add("not sealed yet: its records were checked against their content hashes and archive.message_ids only");
        }
        return new DayReport(day, status, check.present, seal == null ? null : seal.records(), seal == null ? null : seal.sealedAt(),
                seal == null ? null : seal.seq(), purged, findings, notes);
    }

    private static void add(List<Finding> findings, String kind, IdList ids, String message) {
        if (!ids.isEmpty()) {
            findings.add(new Finding(kind, ids.count(), ids.ids(), message));
        }
    }

    /** Days with a sealed list: a loose index scan over the primary key (a few probes per day, not a scan). */
    private static List<LocalDate> sealedListDays(Connection connection) throws SQLException {
        List<LocalDate> days = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("WITH RECURSIVE d(day) AS ("
                     + "SELECT min(day) FROM archive.integrity_sealed_records "
                     + "UNION ALL SELECT (SELECT min(day) FROM archive.integrity_sealed_records WHERE day > d.day) FROM d WHERE d.day IS NOT NULL) "
                     + "SELECT day FROM d WHERE day IS NOT NULL")) {
            while (rs.next()) {
                days.add(rs.getObject(1, LocalDate.class));
            }
        }
        return days;
    }

    /** Ids in archive.message_ids of the range with neither a record nor a place in a sealed list, by day. */
    private static Map<LocalDate, IdList> orphans(Connection connection, Instant from, Instant to, Progress progress) throws SQLException {
        Map<LocalDate, IdList> orphans = new HashMap<>();
        if (!SealStore.tryLock(connection, AdvisoryLocks.PURGE)) {
            progress.waiting("a purge is running; waiting for it to finish");
            SealStore.lock(connection, AdvisoryLocks.PURGE);
        }
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement select = connection.prepareStatement("SELECT i.record_id, (i.sent_at AT TIME ZONE 'UTC')::date "
                    + "FROM archive.message_ids i WHERE i.sent_at >= ? AND i.sent_at < ? "
                    + "AND NOT EXISTS (SELECT 1 FROM archive.messages m WHERE m.sent_at = i.sent_at AND m.record_id = i.record_id) "
                    + "AND NOT EXISTS (SELECT 1 FROM archive.integrity_sealed_records s WHERE s.day = (i.sent_at AT TIME ZONE 'UTC')::date "
                    + "AND s.sent_at = i.sent_at AND s.record_id = i.record_id) ORDER BY 2, i.sent_at, i.record_id COLLATE \"C\"")) {
                select.setFetchSize(2000);
                select.setObject(1, (from == null ? Instant.parse("0001-01-01T00:00:00Z") : from).atOffset(ZoneOffset.UTC));
                select.setObject(2, (to == null ? Instant.parse("9999-12-31T00:00:00Z") : to).atOffset(ZoneOffset.UTC));
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        orphans.computeIfAbsent(rs.getObject(2, LocalDate.class), d -> new IdList()).add(rs.getString(1));
                    }
                }
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } finally {
            SealStore.unlock(connection, AdvisoryLocks.PURGE);
        }
        return orphans;
    }

    private static boolean expiredTableExists(Connection connection, LocalDate day) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            select.setString(1, "archive." + Purgeable.expiredTable(day));
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Names the purge uses for a day's table on its way out. */
    static final class Purgeable {
        private Purgeable() {
        }

        static String expiredTable(LocalDate day) {
            return ArchiveTable.expiredPartition(day);
        }
    }
}
