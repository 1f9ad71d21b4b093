package io.archiver.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The day partitions of {@code archive.messages} this process knows to exist, so that the writer asks
 * the database to create one ({@code archive.ensure_day_partition}) only for a day it has not seen: a
 * record of any date is valid input (a spool that was away for weeks, an import of old records), and
 * the maintenance job creates the coming days ahead of time. A purge may drop a day behind this
 * cache's back; the writer then meets "no partition found for row", calls {@link #forget} and tries
 * again.
 */
public final class DayPartitions {

    private static final Logger log = LoggerFactory.getLogger(DayPartitions.class);

    private final Set<LocalDate> known = ConcurrentHashMap.newKeySet();

    /** The UTC day whose partition holds a record sent at {@code sentAt}. */
    public static LocalDate dayOf(java.time.Instant sentAt) {
        return LocalDate.ofInstant(sentAt, ZoneOffset.UTC);
    }

    /** Creates the partitions of those days that this cache does not know, on the caller's connection. */
    public void ensure(Connection connection, Collection<LocalDate> days) throws SQLException {
        Set<LocalDate> missing = new TreeSet<>();
        for (LocalDate day : days) {
            if (!known.contains(day)) {
                missing.add(day);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try (PreparedStatement ensure = connection.prepareStatement("SELECT archive.ensure_day_partition(?)")) {
            for (LocalDate day : missing) {
                ensure.setObject(1, day);
                try (ResultSet rs = ensure.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        log.info("created the archive partition of {}", day);
                    }
                }
                known.add(day);
            }
        }
    }

    /** Forgets what it knew, after the database said a day it thought present is gone. */
    public void forget() {
        known.clear();
    }

    /** The days that have a partition now, read from the catalogue. */
    public static Set<LocalDate> existing(Connection connection) throws SQLException {
        Set<LocalDate> days = new TreeSet<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                     + "WHERE i.inhparent = '" + ArchiveTable.MESSAGES + "'::regclass")) {
            while (rs.next()) {
                ArchiveTable.dayOfPartition(rs.getString(1)).ifPresent(days::add);
            }
        }
        return days;
    }
}
