package io.archiver.compliance.integrity;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The seal tables: reading seals, the sealed lists' roots, and appending to the chained log. */
final class SealStore {


    private static final String LOG = "(SELECT " + SealEntry.COLUMNS + ", true AS current FROM archive.integrity_seals "
            + "UNION ALL SELECT " + SealEntry.COLUMNS + ", false AS current FROM archive.integrity_seal_history) e";

    private SealStore() {
    }

    static Optional<SealEntry> current(Connection connection, LocalDate day, boolean forUpdate) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + SealEntry.COLUMNS
                + " FROM archive.integrity_seals WHERE day = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            select.setObject(1, day);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(SealEntry.read(rs, true)) : Optional.empty();
            }
        }
    }

    /** Every current seal, by day. */
    static List<SealEntry> currentSeals(Connection connection) throws SQLException {
        List<SealEntry> seals = new ArrayList<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + SealEntry.COLUMNS + " FROM archive.integrity_seals ORDER BY day")) {
            while (rs.next()) {
                seals.add(SealEntry.read(rs, true));
            }
        }
        return seals;
    }

    /** Streams the whole log (current and replaced seals) in seq order. */
    static void forEachEntry(Connection connection, SqlConsumer<SealEntry> consumer) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.setFetchSize(1000);
            try (ResultSet rs = s.executeQuery("SELECT * FROM " + LOG + " ORDER BY seq")) {
                while (rs.next()) {
                    consumer.accept(SealEntry.read(rs, rs.getBoolean("current")));
                }
            }
        }
    }

    static Optional<SealEntry> entry(Connection connection, long seq) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT * FROM " + LOG + " WHERE seq = ?")) {
            select.setLong(1, seq);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(SealEntry.read(rs, rs.getBoolean("current"))) : Optional.empty();
            }
        }
    }

    /** The root and count of a day's sealed list, read in seal order. */
    static IntegrityHashes.DayDigest sealedList(Connection connection, LocalDate day) throws SQLException {
        IntegrityHashes.DayDigest digest = new IntegrityHashes.DayDigest(day);
        try (PreparedStatement select = connection.prepareStatement("SELECT record_id, content_hash, sent_at "
                + "FROM archive.integrity_sealed_records WHERE day = ? ORDER BY sent_at, record_id COLLATE \"C\"")) {
            select.setFetchSize(5000);
            select.setObject(1, day);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    digest.add(rs.getString(1), rs.getBytes(2), rs.getObject(3, OffsetDateTime.class).toInstant());
                }
            }
        }
        return digest;
    }

    static boolean hasSealedList(Connection connection, LocalDate day) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT EXISTS (SELECT 1 FROM archive.integrity_sealed_records WHERE day = ?)")) {
            select.setObject(1, day);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Appends a seal of {@code day} to the log and makes it the day's current seal; the one it replaces
     * (if any) moves to the history with {@code reason}. In the caller's transaction; the caller holds
     * {@link #SEAL_LOCK}.
     */
    static SealEntry append(Connection connection, LocalDate day, long records, byte[] root, String sealedBy, String note,
                            String detailsJson, String reason, Optional<byte[]> key) throws SQLException {
        byte[] previous = IntegrityHashes.GENESIS;
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT chain FROM " + LOG + " ORDER BY seq DESC LIMIT 1")) {
            if (rs.next()) {
                previous = rs.getBytes(1);
            }
        }
        long seq;
        Instant sealedAt;
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT nextval('archive.integrity_seal_seq'), now()")) {
            rs.next();
            seq = rs.getLong(1);
            sealedAt = rs.getObject(2, OffsetDateTime.class).toInstant();
        }
        byte[] chain = IntegrityHashes.chain(previous, seq, day, records, root, sealedAt, sealedBy, note);
        byte[] mac = key.map(k -> IntegrityHashes.mac(k, chain)).orElse(null);
        try (PreparedStatement move = connection.prepareStatement("INSERT INTO archive.integrity_seal_history (" + SealEntry.COLUMNS
                + ", details, superseded_at, superseded_by, reason) SELECT " + SealEntry.COLUMNS + ", details, ?, ?, ? "
                + "FROM archive.integrity_seals WHERE day = ?")) {
            move.setObject(1, sealedAt.atOffset(ZoneOffset.UTC));
            move.setLong(2, seq);
            move.setString(3, reason == null ? note : reason);
            move.setObject(4, day);
            if (move.executeUpdate() > 0) {
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM archive.integrity_seals WHERE day = ?")) {
                    delete.setObject(1, day);
                    delete.executeUpdate();
                }
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO archive.integrity_seals (day, seq, records, root, "
                + "sealed_at, sealed_by, note, details, previous_chain, chain, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)")) {
            insert.setObject(1, day);
            insert.setLong(2, seq);
            insert.setLong(3, records);
            insert.setBytes(4, root);
            insert.setObject(5, sealedAt.atOffset(ZoneOffset.UTC));
            insert.setString(6, sealedBy);
            insert.setString(7, note);
            insert.setString(8, detailsJson);
            insert.setBytes(9, previous);
            insert.setBytes(10, chain);
            insert.setBytes(11, mac);
            insert.executeUpdate();
        }
        return new SealEntry(seq, day, records, root, sealedAt, sealedBy, note, previous, chain, mac, true);
    }

    static boolean tryLock(Connection connection, long key) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + key + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    static void lock(Connection connection, long key) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + key + ")");
        }
    }

    static void unlock(Connection connection, long key) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SELECT pg_advisory_unlock(" + key + ")");
        }
    }

    @FunctionalInterface
    interface SqlConsumer<T> {
        void accept(T value) throws SQLException;
    }
}
