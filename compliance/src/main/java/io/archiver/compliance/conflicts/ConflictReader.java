package io.archiver.compliance.conflicts;

import io.archiver.compliance.search.InvalidSearchException;
import io.archiver.store.ArchiveTable;
import io.archiver.store.StoredRecord;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * Reads {@link ArchiveTable#CONFLICTS} for auditors: each refused version next to the one the archive kept
 * (read from {@link ArchiveTable#MESSAGES} by the {@code sent_at} that {@link ArchiveTable#IDS} holds for the id,
 * so through the day partitions' {@code sent_at} index; null once that day is purged), oldest first: {@code (detected_at, id)}, a total
 * order, keyset-paged with a {@link ConflictCursor}. A conflict committed during the paging is seen once if
 * it sorts after the page being read (the writer's {@code detected_at} is its transaction's start, so one
 * committed late may sort before and be missed, as in any keyset paging; the next listing shows it).
 *
 * <p>As {@link io.archiver.compliance.search.RecordSearch}: what a page holds is known first (count, next
 * cursor), in the same REPEATABLE READ snapshot as the rows, so the caller can audit before answering, and
 * the conflicts are handed over one at a time while the rows are read with a fetch size. Thread-safe.
 */
public final class ConflictReader {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    private static final int FETCH_SIZE = 100;
    private static final String ORDER = " ORDER BY c.detected_at, c.id";
    private static final String AFTER = " WHERE (c.detected_at, c.id) > (?, ?)";
    /** The refused version as {@link StoredRecord#read} expects it: the written columns, NULL for what only archiving adds. */
    private static final String REFUSED = refusedColumns();
    private static final String ROWS = "SELECT c.id, c.detected_at, " + REFUSED + ", m.* FROM " + ArchiveTable.CONFLICTS + " c "
            + "LEFT JOIN " + ArchiveTable.IDS + " i ON i.record_id = c.record_id "
            + "LEFT JOIN LATERAL (SELECT " + StoredRecord.COLUMNS + " FROM " + ArchiveTable.MESSAGES + " s "
            + "WHERE s.sent_at = i.sent_at AND s.record_id = i.record_id) m ON true";
    private static final int RECORD_COLUMNS = StoredRecord.COLUMNS.split(",").length;

    private final DataSource dataSource;

    public ConflictReader(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** What a page holds, known before its conflicts are read. */
    public record PageInfo(int conflicts, String nextCursor) {
    }

    public record Page(List<Conflict> conflicts, String nextCursor) {
    }

    /** Receives a page: {@link #start} once, then each conflict in order. */
    public interface PageSink {
        void start(PageInfo page) throws IOException, SQLException;

        void conflict(Conflict conflict) throws IOException;
    }

    /** The page in memory; see {@link #read(int, String, PageSink)}. */
    public Page read(int limit, String cursor) throws SQLException {
        List<Conflict> conflicts = new ArrayList<>();
        PageInfo[] info = new PageInfo[1];
        try {
            read(limit, cursor, new PageSink() {
                @Override
                public void start(PageInfo page) {
                    info[0] = page;
                }

                @Override
                public void conflict(Conflict conflict) {
                    conflicts.add(conflict);
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("an in-memory sink does not fail", e);
        }
        return new Page(conflicts, info[0].nextCursor());
    }

    /**
     * At most {@code limit} conflicts after the cursor (from the oldest without one); the next cursor is null
     * on the last page.
     *
     * @throws InvalidSearchException a limit out of 1-{@value #MAX_LIMIT} ({@code limit}) or a cursor this
     *                                reader did not give out ({@code cursor})
     */
    public PageInfo read(int limit, String cursor, PageSink sink) throws SQLException, IOException {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidSearchException("limit", "limit must be from 1 to " + MAX_LIMIT + ", not " + limit);
        }
        ConflictCursor after = cursor == null || cursor.isBlank() ? null : ConflictCursor.decode(cursor);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                String where = after == null ? "" : AFTER;
                int count = 0;
                ConflictCursor last = null;
                boolean more = false;
                try (PreparedStatement keys = connection.prepareStatement(
                        "SELECT c.detected_at, c.id FROM " + ArchiveTable.CONFLICTS + " c" + where + ORDER + " LIMIT ?")) {
                    int next = bind(keys, after);
                    keys.setInt(next, limit + 1);
                    try (ResultSet rs = keys.executeQuery()) {
                        while (rs.next()) {
                            if (count == limit) {
                                more = true;
                                break;
                            }
                            count++;
                            last = new ConflictCursor(StoredRecord.instant(rs, 1), rs.getLong(2));
                        }
                    }
                }
                PageInfo info = new PageInfo(count, more ? last.encode() : null);
                sink.start(info);
                if (count > 0) {
                    try (PreparedStatement rows = connection.prepareStatement(ROWS + where + ORDER + " LIMIT ?")) {
                        int next = bind(rows, after);
                        rows.setInt(next, count);
                        rows.setFetchSize(FETCH_SIZE);
                        try (ResultSet rs = rows.executeQuery()) {
                            while (rs.next()) {
                                StoredRecord refused = StoredRecord.read(rs, 3);
                                int stored = 3 + RECORD_COLUMNS;
                                rs.getString(stored);
                                StoredRecord kept = rs.wasNull() ? null : StoredRecord.read(rs, stored);
                                sink.conflict(new Conflict(rs.getLong(1), kept, refused, StoredRecord.instant(rs, 2)));
                            }
                        }
                    }
                }
                connection.commit();
                return info;
            } catch (SQLException | IOException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // the connection is going back to the pool, or is broken anyway
                }
                throw e;
            }
        }
    }

    private static int bind(PreparedStatement statement, ConflictCursor after) throws SQLException {
        if (after == null) {
            return 1;
        }
        statement.setObject(1, OffsetDateTime.ofInstant(after.detectedAt(), ZoneOffset.UTC));
        statement.setLong(2, after.id());
        return 3;
    }

    private static String refusedColumns() {
        Set<String> written = Arrays.stream(ArchiveTable.WRITTEN_COLUMNS.split(",")).map(String::strip).collect(Collectors.toSet());
        return Arrays.stream(StoredRecord.COLUMNS.split(",")).map(String::strip)
                .map(column -> written.contains(column) ? "c." + column : "NULL::timestamptz AS " + column)
                .collect(Collectors.joining(", "));
    }
}
