package io.archiver.compliance.integrity;

import io.archiver.core.text.Plural;
import io.archiver.store.AdvisoryLocks;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.store.DayPartitions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals finished days and keeps the seals current (the work of {@link IntegritySealJob}).
 *
 * <p>A UTC day is <b>sealed</b> once it is over and {@code integrity.grace} has passed: its records'
 * ids, {@code sent_at} and content hashes are copied into {@code archive.integrity_sealed_records} and
 * their root appended to the seal log ({@link SealStore#append}), in one REPEATABLE READ transaction,
 * so list and root are of one snapshot.
 *
 * <p>A sealed day is <b>sealed again</b>, never silently (the replaced seal goes to the history with the
 * reason), when records of it arrived late or a recorded purge removed some: but only after checking it
 * against its seal ({@link DayCheck}): the sealed list must still give the sealed root, every sealed record
 * still there must be unchanged and in {@code archive.message_ids}, every one gone must be gone from
 * {@code archive.message_ids} too and counted by a purge run ({@link PurgeLedger}), and every record not in
 * the seal must have been archived after it. A day that fails is left as it is (the error is logged; it
 * stays for {@code ./archiver verify} to report), so a re-seal never launders a change. Content hashes are
 * not recomputed here (that reads every body; verify does it), which launders nothing either: a re-seal
 * carries the stored hash over, and a body that no longer matches it is still found by verify.
 *
 * <p>Which sealed days to look at again: those a purge run that ended after their seal counted (or any,
 * after a run that did not end well), and those whose number of records differs from their seal's:
 * counted every run for days sealed in the last {@code integrity.recheckDays}, once a day for all.
 *
 * <p>One sealer at a time, cluster-wide (a session advisory lock); a day is looked at only while no purge
 * runs (the purge's own lock, tried, never waited for: a day a purge holds is left for the next run).
 */
public final class IntegritySealer {

    private static final Logger log = LoggerFactory.getLogger(IntegritySealer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FULL_SWEEP_EVERY = Duration.ofHours(24);
    /** Ids of late records named in a re-seal's note and details, at most. */
    private static final int IDS_IN_NOTE = 20;

    private final DataSource dataSource;
    private final IntegritySettings settings;
    private final String nodeName;
    /** Days looked at again and found unchanged, and when: not looked at for the same purge runs again. */
    private final Map<LocalDate, Instant> examined = new ConcurrentHashMap<>();
    private volatile Instant lastFullSweep = Instant.EPOCH;

    public IntegritySealer(DataSource dataSource, IntegritySettings settings, String nodeName) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.nodeName = nodeName;
    }

    public IntegritySettings settings() {
        return settings;
    }

    /** What one run did. */
    public record SealRun(Map<LocalDate, Long> sealed, Map<LocalDate, String> resealed, Map<LocalDate, String> refused,
                          List<String> skipped) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sealed", stringKeys(sealed));
            m.put("resealed", stringKeys(resealed));
            m.put("refused", stringKeys(refused));
            m.put("skipped", skipped);
            return m;
        }

        private static Map<String, Object> stringKeys(Map<LocalDate, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(k.toString(), v));
            return m;
        }
    }

    /** The last day that may be sealed at {@code now}: over, and the grace period past. */
    public LocalDate lastSealableDay(Instant now) {
        return LocalDate.ofInstant(now.minus(settings.grace()), ZoneOffset.UTC).minusDays(1);
    }

    /** Seals every finished unsealed day and brings changed sealed days up to date. */
    public SealRun run(Instant now) throws SQLException {
        SealRun run = new SealRun(new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new ArrayList<>());
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            if (!SealStore.tryLock(connection, AdvisoryLocks.SEAL)) {
                run.skipped().add("another sealer is running");
                return run;
            }
            try {
                LocalDate last = lastSealableDay(now);
                Map<LocalDate, SealEntry> seals = new HashMap<>();
                for (SealEntry seal : SealStore.currentSeals(connection)) {
                    seals.put(seal.day(), seal);
                }
                for (LocalDate day : DayPartitions.existing(connection)) {
                    if (!day.isAfter(last) && !seals.containsKey(day)) {
                        sealNew(connection, day, run);
                    }
                }
                for (LocalDate day : toExamine(connection, seals, now)) {
                    reseal(connection, seals.get(day), now, run);
                }
            } finally {
                SealStore.unlock(connection, AdvisoryLocks.SEAL);
            }
        }
        if (!run.sealed().isEmpty() || !run.resealed().isEmpty()) {
            log.info("integrity: sealed {} day(s) {}, sealed again {}", run.sealed().size(), run.sealed(), run.resealed().keySet());
        }
        return run;
    }

    private void sealNew(Connection connection, LocalDate day, SealRun run) throws SQLException {
        if (!SealStore.tryLock(connection, AdvisoryLocks.PURGE)) {
            run.skipped().add(day + ": a purge is running");
            return;
        }
        try {
            inTransaction(connection, () -> {
                if (SealStore.hasSealedList(connection, day)) {
                    String reason = "its sealed record list is there but its seal is not: the seal was removed; not sealing it again "
                            + "(./archiver verify reports it)";
                    run.refused().put(day, reason);
                    log.error("integrity: day {} not sealed: {}", day, reason);
                    return false;
                }
                long records;
                try (PreparedStatement copy = connection.prepareStatement("INSERT INTO archive.integrity_sealed_records "
                        + "(day, sent_at, record_id, content_hash) SELECT ?, sent_at, record_id, content_hash FROM archive.messages "
                        + "WHERE sent_at >= ? AND sent_at < ?")) {
                    copy.setObject(1, day);
                    copy.setObject(2, DayCheck.start(day).atOffset(ZoneOffset.UTC));
                    copy.setObject(3, DayCheck.end(day).atOffset(ZoneOffset.UTC));
                    records = copy.executeUpdate();
                }
                if (records == 0) {
                    return false; // an empty partition (made ahead, or emptied): nothing to seal
                }
                IntegrityHashes.DayDigest digest = SealStore.sealedList(connection, day);
                SealStore.append(connection, day, digest.records(), digest.root(), nodeName, "sealed",
                        json(Map.of("records", digest.records())), null, settings.key());
                run.sealed().put(day, digest.records());
                return true;
            });
        } finally {
            SealStore.unlock(connection, AdvisoryLocks.PURGE);
        }
    }

    /** Sealed days that may have changed since they were sealed (or last examined). */
    private Set<LocalDate> toExamine(Connection connection, Map<LocalDate, SealEntry> seals, Instant now) throws SQLException {
        Set<LocalDate> days = new TreeSet<>();
        if (seals.isEmpty()) {
            return days;
        }
        Instant oldest = seals.values().stream().map(SealEntry::sealedAt).min(Instant::compareTo).orElseThrow();
        // Purge runs that ended after some seal: the days each counted, or all if it did not end well.
        try (PreparedStatement select = connection.prepareStatement("SELECT state, finished_at, "
                + "coalesce((SELECT array_agg(d.key) FROM jsonb_each(details->'perDay') d WHERE (d.value->>'purged')::bigint > 0), '{}') "
                + "FROM archive.purge_runs WHERE NOT dry_run AND (finished_at IS NULL OR finished_at > ?)")) {
            select.setObject(1, oldest.atOffset(ZoneOffset.UTC));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String state = rs.getString(1);
                    java.time.OffsetDateTime finished = rs.getObject(2, java.time.OffsetDateTime.class);
                    Instant end = finished == null ? now : finished.toInstant();
                    Set<String> counted = new TreeSet<>(Arrays.asList((String[]) rs.getArray(3).getArray()));
                    for (SealEntry seal : seals.values()) {
                        Instant since = examined.getOrDefault(seal.day(), seal.sealedAt());
                        if (since.isBefore(seal.sealedAt())) {
                            since = seal.sealedAt();
                        }
                        if (end.isAfter(since) && (counted.contains(seal.day().toString()) || !state.equals("done"))) {
                            days.add(seal.day());
                        }
                    }
                }
            }
        }
        // Counts: recent seals every run, all once a day.
        boolean full = Duration.between(lastFullSweep, now).compareTo(FULL_SWEEP_EVERY) >= 0;
        LocalDate from = full ? LocalDate.MIN : LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(settings.recheckDays() + 1L);
        Map<LocalDate, Long> counts = new HashMap<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT (sent_at AT TIME ZONE 'UTC')::date, count(*) "
                + "FROM archive.messages WHERE sent_at >= ? AND sent_at < ? GROUP BY 1")) {
            LocalDate first = seals.keySet().stream().filter(d -> !d.isBefore(from)).min(LocalDate::compareTo).orElse(null);
            if (first != null) {
                LocalDate lastDay = seals.keySet().stream().max(LocalDate::compareTo).orElseThrow();
                select.setObject(1, DayCheck.start(first).atOffset(ZoneOffset.UTC));
                select.setObject(2, DayCheck.end(lastDay).atOffset(ZoneOffset.UTC));
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        counts.put(rs.getObject(1, LocalDate.class), rs.getLong(2));
                    }
                }
                for (SealEntry seal : seals.values()) {
                    if (!seal.day().isBefore(first) && counts.getOrDefault(seal.day(), 0L) != seal.records()) {
                        days.add(seal.day());
                    }
                }
            }
        }
        if (full) {
            lastFullSweep = now;
        }
        return days;
    }

    private void reseal(Connection connection, SealEntry seal, Instant now, SealRun run) throws SQLException {
        LocalDate day = seal.day();
        if (!SealStore.tryLock(connection, AdvisoryLocks.PURGE)) {
            run.skipped().add(day + ": a purge is running");
            return;
        }
        try {
            inTransaction(connection, () -> {
                SealEntry current = SealStore.current(connection, day, true).orElse(null);
                if (current == null || current.seq() != seal.seq()) {
                    return false; // changed meanwhile; the next run looks again
                }
                DayCheck check = DayCheck.run(connection, day, current.sealedAt(), false, DayCheck.Counter.NONE);
                String problem = problem(current, check);
                PurgeLedger.Accounting purged = PurgeLedger.since(connection, day, current.sealedAt()).account(check.removed.count());
                if (problem == null && !purged.accounted()) {
                    problem = purged.describe();
                }
                if (problem != null) {
                    run.refused().put(day, problem);
                    log.error("integrity: day {} does not match its seal (seq {}): {}; not sealing it again; run ./archiver verify",
                            day, current.seq(), problem);
                    return false;
                }
                if (check.removed.isEmpty() && check.inserted.isEmpty()) {
                    examined.put(day, now);
                    return false;
                }
                applyChanges(connection, day);
                IntegrityHashes.DayDigest digest = SealStore.sealedList(connection, day);
                long expected = current.records() - check.removed.count() + check.inserted.count();
                if (digest.records() != expected) {
                    throw new IllegalStateException("re-sealing " + day + ": " + digest.records() + " records in the new list, "
                            + expected + " expected");
                }
                List<String> why = new ArrayList<>();
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("records", digest.records());
                details.put("previousRecords", current.records());
                if (!check.removed.isEmpty()) {
                    why.add(purged.describe());
                    details.put("purged", check.removed.count());
                    details.put("purgeRuns", purged.runIds());
                }
                if (!check.inserted.isEmpty()) {
                    List<String> ids = check.inserted.ids().subList(0, (int) Math.min(IDS_IN_NOTE, check.inserted.ids().size()));
                    why.add(Plural.of(check.inserted.count(), "record") + " archived after the seal: " + String.join(", ", ids)
                            + (check.inserted.count() > ids.size() ? ", ..." : ""));
                    details.put("late", check.inserted.count());
                    details.put("lateIds", check.inserted.ids());
                }
                String note = "sealed again: " + String.join("; ", why);
                SealStore.append(connection, day, digest.records(), digest.root(), nodeName, note, json(details), note, settings.key());
                run.resealed().put(day, note);
                examined.remove(day);
                return true;
            });
        } finally {
            SealStore.unlock(connection, AdvisoryLocks.PURGE);
        }
    }

    /** Why a sealed day must not be sealed again, or null. */
    private static String problem(SealEntry seal, DayCheck check) {
        if (check.sealedCount != seal.records() || !Arrays.equals(check.sealedRoot, seal.root())) {
            return "its sealed record list (" + Plural.of(check.sealedCount, "record") + ") does not give the seal's root ("
                    + Plural.of(seal.records(), "record") + "): the list was altered";
        }
        List<String> problems = new ArrayList<>();
        describe(problems, check.changed, "changed since the seal");
        describe(problems, check.insertedBeforeSeal, "not in the seal yet archived before it");
        describe(problems, check.removedOutsidePurge, "gone from archive.messages but still in archive.message_ids");
        describe(problems, check.notInMessageIds, "missing from archive.message_ids");
        describe(problems, check.messageIdsDiffer, "differing from archive.message_ids");
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    private static void describe(List<String> problems, IdList ids, String what) {
        if (!ids.isEmpty()) {
            problems.add(Plural.of(ids.count(), "record") + " " + what + " " + ids.ids().subList(0, Math.min(10, ids.ids().size())));
        }
    }

    /** The sealed list follows the day: removed records leave it, late ones join it (same snapshot as the check). */
    private static void applyChanges(Connection connection, LocalDate day) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM archive.integrity_sealed_records s WHERE s.day = ? "
                + "AND NOT EXISTS (SELECT 1 FROM archive.messages m WHERE m.sent_at >= ? AND m.sent_at < ? AND m.record_id = s.record_id)");
             PreparedStatement insert = connection.prepareStatement("INSERT INTO archive.integrity_sealed_records "
                     + "(day, sent_at, record_id, content_hash) SELECT ?, m.sent_at, m.record_id, m.content_hash FROM archive.messages m "
                     + "WHERE m.sent_at >= ? AND m.sent_at < ? AND NOT EXISTS "
                     + "(SELECT 1 FROM archive.integrity_sealed_records s WHERE s.day = ? AND s.record_id = m.record_id)")) {
            delete.setObject(1, day);
            delete.setObject(2, DayCheck.start(day).atOffset(ZoneOffset.UTC));
            delete.setObject(3, DayCheck.end(day).atOffset(ZoneOffset.UTC));
            delete.executeUpdate();
            insert.setObject(1, day);
            insert.setObject(2, DayCheck.start(day).atOffset(ZoneOffset.UTC));
            insert.setObject(3, DayCheck.end(day).atOffset(ZoneOffset.UTC));
            insert.setObject(4, day);
            insert.executeUpdate();
        }
    }

    /** Runs {@code work} in a REPEATABLE READ transaction; commits when it returns true, else rolls back. */
    private static void inTransaction(Connection connection, SqlWork work) throws SQLException {
        int isolation = connection.getTransactionIsolation();
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            if (work.run()) {
                connection.commit();
            } else {
                connection.rollback();
            }
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
            connection.setTransactionIsolation(isolation);
        }
    }

    @FunctionalInterface
    private interface SqlWork {
        boolean run() throws SQLException;
    }

    static String json(Map<String, ?> value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** For tests: forget what was examined, as a new node would. */
    void forget() {
        examined.clear();
        lastFullSweep = Instant.EPOCH;
    }
}
