package io.archiver.compliance.integrity;

import io.archiver.compliance.integrity.VerifyReport.ChainFinding;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Walks the seal log in seq order: each entry must follow the one before it (its previous chain is
 * that entry's chain; seq numbers may skip, as a sequence does after a rollback), its fields must give
 * its chain, its MAC must be right under {@code integrity.key} (when set), each day's current seal must
 * be the day's latest entry, and a day with replaced seals must have a current one. Then the head the
 * last verify recorded in the audit log must still be in the log, unchanged: removing the newest
 * entries, which no later entry points to, is noticed that way.
 */
final class ChainCheck {

    private ChainCheck() {
    }

    static VerifyReport.ChainReport run(Connection connection, Optional<byte[]> key) throws SQLException {
        List<ChainFinding> findings = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<LocalDate, Long> latest = new HashMap<>();
        Map<LocalDate, Long> current = new TreeMap<>();
        long[] counts = new long[3]; // entries, unsigned before the first signed, signed without a key to check
        boolean[] signedSeen = new boolean[1];
        SealEntry[] previous = new SealEntry[1];
        SealStore.forEachEntry(connection, entry -> {
            counts[0]++;
            SealEntry before = previous[0];
            if (before == null) {
                if (!Arrays.equals(entry.previousChain(), IntegrityHashes.GENESIS)) {
                    findings.add(new ChainFinding(ChainFinding.FIRST_ENTRY, entry.seq(), entry.day(), "the log's first entry (seq "
                            + entry.seq() + ", day " + entry.day() + ") follows an entry that is no longer there: older seals were removed"));
                }
            } else if (!Arrays.equals(entry.previousChain(), before.chain())) {
                findings.add(new ChainFinding(ChainFinding.LINK_BROKEN, entry.seq(), entry.day(), "seal log entry " + entry.seq()
                        + " (day " + entry.day() + ") does not follow entry " + before.seq() + " (day " + before.day()
                        + "): an entry between them was removed, or one of them rewritten"));
            }
            if (!Arrays.equals(entry.expectedChain(), entry.chain())) {
                findings.add(new ChainFinding(ChainFinding.ENTRY_ALTERED, entry.seq(), entry.day(), "seal log entry " + entry.seq()
                        + " (day " + entry.day() + "): its fields do not give its chain value: it was altered"));
            }
            if (key.isPresent()) {
                if (entry.mac() == null) {
                    if (signedSeen[0]) {
                        findings.add(new ChainFinding(ChainFinding.MAC_MISSING, entry.seq(), entry.day(), "seal log entry " + entry.seq()
                                + " (day " + entry.day() + ") has no MAC although earlier entries have: it was not made by a node with "
                                + "integrity.key"));
                    } else {
                        counts[1]++;
                    }
                } else {
                    signedSeen[0] = true;
                    if (!Arrays.equals(IntegrityHashes.mac(key.get(), entry.chain()), entry.mac())) {
                        findings.add(new ChainFinding(ChainFinding.MAC_INVALID, entry.seq(), entry.day(), "seal log entry " + entry.seq()
                                + " (day " + entry.day() + "): its MAC is wrong under integrity.key: forged or rewritten"));
                    }
                }
            } else if (entry.mac() != null) {
                counts[2]++;
            }
            latest.merge(entry.day(), entry.seq(), Math::max);
            if (entry.current()) {
                current.put(entry.day(), entry.seq());
            }
            previous[0] = entry;
        });
        current.forEach((day, seq) -> {
            if (!seq.equals(latest.get(day))) {
                findings.add(new ChainFinding(ChainFinding.NOT_LATEST, seq, day, "the current seal of " + day + " is entry " + seq
                        + " but entry " + latest.get(day) + " of the same day is newer: an older seal was put back"));
            }
        });
        latest.keySet().stream().filter(day -> !current.containsKey(day)).sorted().forEach(day ->
                findings.add(new ChainFinding(ChainFinding.SEAL_MISSING, latest.get(day), day, day + " was sealed (last entry "
                        + latest.get(day) + ") but has no current seal: the seal was removed")));
        if (counts[1] > 0) {
            notes.add(counts[1] + " entr" + (counts[1] == 1 ? "y" : "ies") + " from before integrity.key was set carry no MAC");
        }
        if (counts[2] > 0) {
            notes.add(counts[2] + " entr" + (counts[2] == 1 ? "y carries a MAC" : "ies carry MACs")
                    + " not checked: integrity.key is not set here");
        }
        SealEntry head = previous[0];
        checkLastVerifiedHead(connection, findings, notes);
        return new VerifyReport.ChainReport(counts[0], head == null ? null : head.seq(), head == null ? null : IntegrityHashes.hex(head.chain()),
                key.isPresent(), findings, notes);
    }

    private static void checkLastVerifiedHead(Connection connection, List<ChainFinding> findings, List<String> notes) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT at, result->'chainHead'->>'seq', result->'chainHead'->>'chain' "
                + "FROM archive.audit_log WHERE action = 'verify' AND result->'chainHead'->>'seq' IS NOT NULL ORDER BY id DESC LIMIT 1");
             ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                return;
            }
            OffsetDateTime at = rs.getObject(1, OffsetDateTime.class);
            long seq = Long.parseLong(rs.getString(2));
            String chain = rs.getString(3);
            Optional<SealEntry> entry = SealStore.entry(connection, seq);
            if (entry.isEmpty()) {
                findings.add(new ChainFinding(ChainFinding.HEAD_LOST, seq, null, "the verify of " + at.toInstant() + " ended the log at entry "
                        + seq + ", which is gone: seals were removed since"));
            } else if (!IntegrityHashes.hex(entry.get().chain()).equals(chain)) {
                findings.add(new ChainFinding(ChainFinding.HEAD_LOST, seq, entry.get().day(), "the verify of " + at.toInstant()
                        + " ended the log at entry " + seq + " with another chain value: the log was rewritten since"));
            } else {
                notes.add("the log still holds entry " + seq + " as the verify of " + at.toInstant() + " saw it");
            }
        }
    }
}
