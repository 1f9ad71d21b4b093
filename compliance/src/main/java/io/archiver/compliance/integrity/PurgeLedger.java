package io.archiver.compliance.integrity;

import io.archiver.core.text.Plural;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * What recorded purges say they removed from a day since its seal: the runs of {@code archive.purge_runs}
 * (not dry runs) that had not finished when the seal was made, and the day's {@code purged} count of each
 * ({@code details.perDay}, written by the purge as it ends).
 *
 * <p>Removals of sealed records are accepted as a purge's when there are at most as many as the runs
 * recorded for the day: a run that was under way at the seal may have removed some of its count before
 * it. A run that did not end well ({@code interrupted}: its process died; {@code failed}; or still marked
 * {@code running}) may have removed more than it recorded: then any further removals of the day are
 * accepted too, with a note that their number could not be checked.
 *
 * <p>Seals and verification hold the purge's advisory lock while they look at a day, so no purge is
 * half-way through it then.
 */
record PurgeLedger(List<Run> runs) {

    /** One purge run that may have removed records of the day. */
    record Run(long id, String state, Long purged) {
        boolean recordedInFull() {
            return state.equals("done");
        }
    }

    /** How the removals of a day are explained. */
    record Accounting(long removed, long recorded, long unaccounted, boolean unverified, List<Long> runIds) {
        boolean accounted() {
            return unaccounted == 0;
        }

        String describe() {
            if (removed == 0) {
                return "";
            }
            String runs = runIds.isEmpty() ? "no purge run" : (runIds.size() == 1 ? "purge run " : "purge runs ")
                    + String.join(", ", runIds.stream().map(String::valueOf).toList());
            if (unaccounted > 0) {
                return Plural.of(removed, "sealed record") + " gone; " + runs + " recorded " + recorded + " for this day: "
                        + unaccounted + " removed by no recorded purge";
            }
            if (removed > recorded) {
                return Plural.of(removed, "record") + " removed by " + runs + " (" + recorded + " recorded; the rest by a run that did not "
                        + "finish, whose counts are incomplete)";
            }
            return Plural.of(removed, "record") + " removed by " + runs;
        }
    }

    static PurgeLedger since(Connection connection, LocalDate day, Instant sealedAt) throws SQLException {
        List<Run> runs = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT id, state, (details->'perDay'->?->>'purged')::bigint "
                + "FROM archive.purge_runs WHERE NOT dry_run AND (finished_at IS NULL OR finished_at > ?) ORDER BY id")) {
            select.setString(1, day.toString());
            select.setObject(2, sealedAt.atOffset(ZoneOffset.UTC));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    long purged = rs.getLong(3);
                    runs.add(new Run(rs.getLong(1), rs.getString(2), rs.wasNull() ? null : purged));
                }
            }
        }
        return new PurgeLedger(runs);
    }

    Accounting account(long removed) {
        long recorded = 0;
        List<Long> counted = new ArrayList<>();
        List<Long> incomplete = new ArrayList<>();
        for (Run run : runs) {
            if (run.purged() != null && run.purged() > 0) {
                recorded += run.purged();
                counted.add(run.id());
            }
            if (!run.recordedInFull()) {
                incomplete.add(run.id());
            }
        }
        if (removed <= recorded) {
            return new Accounting(removed, recorded, 0, false, removed == 0 ? List.of() : counted);
        }
        List<Long> all = new ArrayList<>(counted);
        incomplete.stream().filter(id -> !all.contains(id)).forEach(all::add);
        all.sort(null);
        if (!incomplete.isEmpty()) {
            return new Accounting(removed, recorded, 0, true, all);
        }
        return new Accounting(removed, recorded, removed - recorded, false, all);
    }
}
