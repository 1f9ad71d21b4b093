package io.archiver.compliance.integrity;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * One day compared with its seal, in one pass over a server-side cursor: the day's rows of
 * {@code archive.messages}, its sealed list ({@code archive.integrity_sealed_records}) and
 * {@code archive.message_ids}, joined by record id. Finds, each with the record ids:
 *
 * <ul>
 *   <li>{@link #changed}: sealed and present, but its content hash or {@code sent_at} is not the sealed one;</li>
 *   <li>{@link #inserted}: present, not in the seal, archived after it (a late record, or made to look like
 *       one); {@link #insertedBeforeSeal}: present, not in the seal, yet archived before it;</li>
 *   <li>{@link #removedOutsidePurge}: sealed, gone from {@code archive.messages} but still in
 *       {@code archive.message_ids} (a purge removes both, so this is never a purge);</li>
 *   <li>{@link #removed}: sealed and gone from both; a recorded purge may account for them
 *       ({@link PurgeLedger});</li>
 *   <li>{@link #contentChanged} (with {@code content}): the content hash recomputed from the row's
 *       columns ({@link RowContentHash}) is not the stored one;</li>
 *   <li>{@link #notInMessageIds}, {@link #messageIdsDiffer}: the row and {@code archive.message_ids},
 *       which the writer fills in the same transaction, disagree.</li>
 * </ul>
 *
 * and the root and count of the sealed list (read first, in seal order), to be compared with the seal. Runs in the caller's
 * transaction (which should be REPEATABLE READ, so that all of it is one snapshot, and not
 * auto-commit, so that the cursor fetches in pieces).
 */
final class DayCheck {

    private static final int FETCH = 2000;
    /**
     * A record archived this long before its day's seal and yet not in it counts as having come in
     * before the seal's snapshot was taken (back-dated); a writer's transaction that started just before
     * the seal and committed after it stays within this.
     */
    static final java.time.Duration WRITER_SLACK = java.time.Duration.ofMinutes(10);

    final LocalDate day;
    final IdList changed = new IdList();
    final IdList inserted = new IdList();
    final IdList insertedBeforeSeal = new IdList();
    final IdList removedOutsidePurge = new IdList();
    final IdList removed = new IdList();
    final IdList contentChanged = new IdList();
    final IdList notInMessageIds = new IdList();
    final IdList messageIdsDiffer = new IdList();
    long present;
    long sealedCount;
    byte[] sealedRoot;

    /** Told of each record in the archive as it is read (progress). */
    interface Counter {
        void counted(long records);

        Counter NONE = records -> { };
    }

    private DayCheck(LocalDate day) {
        this.day = day;
    }

    static Instant start(LocalDate day) {
        return day.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    static Instant end(LocalDate day) {
        return day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /**
     * Compares the day with its sealed list. {@code sealedAt}: when the current seal was made (to tell
     * records archived after it from ones slipped in before), or null. {@code content}: also recompute
     * every row's content hash (reads the bodies).
     */
    static DayCheck run(Connection connection, LocalDate day, Instant sealedAt, boolean content, Counter counter) throws SQLException {
        DayCheck check = new DayCheck(day);
        String contentColumns = content ? "m.conversation_id, m.kind, m.sender, m.recipients, m.content_type, m.body, m.external, " : "";
        String rowColumns = "record_id, sent_at, content_hash, archived_at"
                + (content ? ", conversation_id, kind, sender, recipients, content_type, body, external" : "");
        // Unordered: the root comes from the sealed list alone, in index order (below), so the day's rows
        // (bodies and all) are never sorted. message_ids is probed by its key for each row (OFFSET 0 keeps
        // the planner from turning it into a hash of the whole table).
        String sql = "SELECT coalesce(s.record_id, m.record_id) AS id, "
                + "m.record_id AS record_id, m.sent_at AS sent_at, m.content_hash AS m_hash, m.archived_at, " + contentColumns
                + "s.record_id IS NOT NULL AS in_seal, s.sent_at AS s_sent_at, s.content_hash AS s_hash, "
                + "i.record_id IS NOT NULL AS in_ids, i.sent_at AS i_sent_at, i.content_hash AS i_hash "
                + "FROM (SELECT " + rowColumns + " FROM archive.messages WHERE sent_at >= ? AND sent_at < ?) m "
                + "FULL JOIN (SELECT record_id, sent_at, content_hash FROM archive.integrity_sealed_records WHERE day = ?) s "
                + "ON s.record_id = m.record_id "
                + "LEFT JOIN LATERAL (SELECT record_id, sent_at, content_hash FROM archive.message_ids "
                + "WHERE record_id = coalesce(s.record_id, m.record_id) OFFSET 0) i ON true";
        RowContentHash hasher = content ? new RowContentHash() : null;
        IntegrityHashes.DayDigest digest = SealStore.sealedList(connection, day);
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setFetchSize(FETCH);
            select.setObject(1, start(day).atOffset(ZoneOffset.UTC));
            select.setObject(2, end(day).atOffset(ZoneOffset.UTC));
            select.setObject(3, day);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    check.row(rs, hasher, sealedAt);
                    if (check.present % FETCH == 0 && check.present > 0) {
                        counter.counted(check.present);
                    }
                }
            }
        }
        counter.counted(check.present);
        check.sealedCount = digest.records();
        check.sealedRoot = digest.root();
        return check;
    }

    private void row(ResultSet rs, RowContentHash hasher, Instant sealedAt) throws SQLException {
        String id = rs.getString("id");
        boolean inMessages = rs.getString("record_id") != null;
        boolean inSeal = rs.getBoolean("in_seal");
        boolean inIds = rs.getBoolean("in_ids");
        Instant sealedSentAt = null;
        byte[] sealedHash = null;
        if (inSeal) {
            sealedSentAt = instant(rs, "s_sent_at");
            sealedHash = rs.getBytes("s_hash");
        }
        if (!inMessages) {
            if (inIds) {
                removedOutsidePurge.add(id);
            } else {
                removed.add(id);
            }
            return;
        }
        present++;
        Instant sentAt = instant(rs, "sent_at");
        byte[] hash = rs.getBytes("m_hash");
        if (inSeal) {
            if (!Arrays.equals(hash, sealedHash) || !sentAt.equals(sealedSentAt)) {
                changed.add(id);
            }
        } else if (sealedAt != null) {
            Instant archivedAt = instant(rs, "archived_at");
            if (archivedAt != null && archivedAt.isAfter(sealedAt.minus(WRITER_SLACK))) {
                inserted.add(id);
            } else {
                insertedBeforeSeal.add(id);
            }
        }
        if (hasher != null && !Arrays.equals(hasher.of(rs), hash)) {
            contentChanged.add(id);
        }
        if (!inIds) {
            notInMessageIds.add(id);
        } else if (!Arrays.equals(rs.getBytes("i_hash"), hash) || !sentAt.equals(instant(rs, "i_sent_at"))) {
            messageIdsDiffer.add(id);
        }
    }

    /** Records present now that are not in the seal, however they came. */
    long notSealed() {
        return inserted.count() + insertedBeforeSeal.count();
    }

    /** Anything but removals that a purge may account for. */
    boolean tamperedBesidesRemovals() {
        return !changed.isEmpty() || !insertedBeforeSeal.isEmpty() || !removedOutsidePurge.isEmpty() || !contentChanged.isEmpty()
                || !notInMessageIds.isEmpty() || !messageIdsDiffer.isEmpty();
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
