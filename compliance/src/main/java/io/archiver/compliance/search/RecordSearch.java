package io.archiver.compliance.search;

import io.archiver.store.StoredRecord;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads {@code archive.messages} for auditors: keyset-paged search ({@link #search}) and whole
 * conversations ({@link #conversation}).
 *
 * <p>Order: {@code sentAt}, ties broken by record id in byte order ({@code COLLATE "C"}), a total order,
 * so a page starts exactly after the last record of the one before: {@code (sent_at, record_id) >
 * (last)}. The first page freezes the upper bound of the search at {@code min(to, now)} and every cursor
 * carries it: records that arrive later with a {@code sentAt} after the bound (or in the future, which
 * the front-end allows up to 5 minutes) never enter the pages, and no page shifts. A record that arrives
 * during the paging with a {@code sentAt} inside the bound is seen once if it sorts after the page being
 * read and, as in any keyset paging, not at all if it sorts before it (the records there when the first
 * page was read are each seen exactly once).
 *
 * <p>Memory: records are handed to the sink one at a time while the rows are read with a fetch size,
 * never held as a page or a conversation. What the answer will hold (count, next cursor) is known before
 * the first record, read first in the same REPEATABLE READ snapshot as the records, so the caller can
 * audit the call before answering it.
 *
 * <p>Indexes used: per-day {@code (sent_at)}, {@code (conversation_id, sent_at)}, the GIN over
 * {@code array_prepend(sender, recipients)} (V1/V2) and the GIN over
 * {@code to_tsvector('simple', coalesce(body, ''))} (V6); the predicates here are written with exactly
 * those expressions. Thread-safe: each call takes its own connection.
 */
public final class RecordSearch {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    public static final int CONVERSATION_CAP = 10_000;
    private static final int FETCH_SIZE = 200;

    static final String PARTICIPANT = "array_prepend(sender, recipients) @> ARRAY[?]::text[]";
    static final String FULL_TEXT = "to_tsvector('simple', coalesce(body, '')) @@ websearch_to_tsquery('simple', ?)";
    private static final String ORDER = " ORDER BY sent_at, record_id COLLATE \"C\"";

    private final DataSource dataSource;
    private final Clock clock;

    public RecordSearch(DataSource dataSource) {
        this(dataSource, Clock.systemUTC());
    }

    public RecordSearch(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** What a page holds, known before its records are read. */
    public record PageInfo(int records, Instant until, String nextCursor) {
    }

    /** A whole page, for callers that want it in memory (tests, small pages). */
    public record Page(List<StoredRecord> records, String nextCursor, Instant until) {
    }

    /** Receives a page: {@link #start} once, then each record in order. */
    public interface PageSink {
        void start(PageInfo page) throws IOException, SQLException;

        void record(StoredRecord record) throws IOException;
    }

    /** A conversation's summary, known before its records are read. */
    public record ConversationInfo(String conversationId, List<String> participants, long total, int records, boolean truncated) {
    }

    public record Conversation(ConversationInfo info, List<StoredRecord> records) {
    }

    /** Receives a conversation: {@link #start} once, then each record in order. */
    public interface ConversationSink {
        void start(ConversationInfo conversation) throws IOException, SQLException;

        void record(StoredRecord record) throws IOException;
    }

    /** The page in memory; see {@link #search(SearchQuery, int, String, PageSink)}. */
    public Page search(SearchQuery query, int limit, String cursor) throws SQLException {
        List<StoredRecord> records = new ArrayList<>();
        PageInfo[] info = new PageInfo[1];
        try {
            search(query, limit, cursor, new PageSink() {
                @Override
                public void start(PageInfo page) {
                    info[0] = page;
                }

                @Override
                public void record(StoredRecord record) {
                    records.add(record);
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("an in-memory sink does not fail", e);
        }
        return new Page(records, info[0].nextCursor(), info[0].until());
    }

    /**
     * One page of the search: at most {@code limit} records after the cursor (from the start without
     * one), in order. The next cursor is null on the last page.
     *
     * @throws InvalidSearchException a bad limit or cursor, a cursor of other filters, or a {@code q}
     *                                without any word to search for
     */
    public PageInfo search(SearchQuery query, int limit, String cursor, PageSink sink) throws SQLException, IOException {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidSearchException("limit", "limit must be from 1 to " + MAX_LIMIT + ", not " + limit);
        }
        SearchCursor after = cursor == null || cursor.isBlank() ? null : SearchCursor.decode(cursor, query);
        Instant until = after != null ? after.until() : firstPageBound(query);
        try (Connection connection = dataSource.getConnection()) {
            snapshot(connection);
            try {
                if (query.text() != null) {
                    checkHasWords(connection, query.text());
                }
                Where where = where(query, until, after);
                // Pass 1, keys only: how many, and where the next page starts.
                int count = 0;
                Instant lastSentAt = null;
                String lastId = null;
                boolean more = false;
                try (PreparedStatement keys = connection.prepareStatement(
                        "SELECT sent_at, record_id FROM archive.messages WHERE " + where.sql + ORDER + " LIMIT ?")) {
                    int next = where.bind(keys);
                    keys.setInt(next, limit + 1);
                    keys.setFetchSize(FETCH_SIZE);
                    try (ResultSet rs = keys.executeQuery()) {
                        while (rs.next()) {
                            if (count == limit) {
                                more = true;
                                break;
                            }
                            count++;
                            lastSentAt = StoredRecord.instant(rs, 1);
                            lastId = rs.getString(2);
                        }
                    }
                }
                String nextCursor = more ? new SearchCursor(until, lastSentAt, lastId).encode(query) : null;
                PageInfo info = new PageInfo(count, until, nextCursor);
                sink.start(info);
                // Pass 2, the records, in the same snapshot: the same rows.
                if (count > 0) {
                    try (PreparedStatement rows = connection.prepareStatement(
                            "SELECT " + StoredRecord.COLUMNS + " FROM archive.messages WHERE " + where.sql + ORDER + " LIMIT ?")) {
                        int next = where.bind(rows);
                        rows.setInt(next, count);
                        rows.setFetchSize(FETCH_SIZE);
                        try (ResultSet rs = rows.executeQuery()) {
                            while (rs.next()) {
                                sink.record(StoredRecord.read(rs));
                            }
                        }
                    }
                }
                connection.commit();
                return info;
            } catch (SQLException | IOException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            }
        }
    }

    /** The conversation in memory, capped at {@link #CONVERSATION_CAP} records. */
    public Optional<Conversation> conversation(String conversationId) throws SQLException {
        List<StoredRecord> records = new ArrayList<>();
        try {
            return conversation(conversationId, CONVERSATION_CAP, new ConversationSink() {
                @Override
                public void start(ConversationInfo conversation) {
                }

                @Override
                public void record(StoredRecord record) {
                    records.add(record);
                }
            }).map(info -> new Conversation(info, records));
        } catch (IOException e) {
            throw new IllegalStateException("an in-memory sink does not fail", e);
        }
    }

    /**
     * A conversation: its participants (senders and recipients of all its records, distinct, sorted) and
     * its first {@code cap} records in order; empty when the archive holds no record of it.
     */
    public Optional<ConversationInfo> conversation(String conversationId, int cap, ConversationSink sink)
            throws SQLException, IOException {
        String id = SearchQuery.conversation(conversationId, "id");
        try (Connection connection = dataSource.getConnection()) {
            snapshot(connection);
            try {
                long total;
                try (PreparedStatement count = connection.prepareStatement(
                        "SELECT count(*) FROM archive.messages WHERE conversation_id = ?")) {
                    count.setString(1, id);
                    try (ResultSet rs = count.executeQuery()) {
                        rs.next();
                        total = rs.getLong(1);
                    }
                }
                if (total == 0) {
                    connection.commit();
                    return Optional.empty();
                }
                List<String> participants = new ArrayList<>();
                try (PreparedStatement distinct = connection.prepareStatement(
                        "SELECT p FROM (SELECT DISTINCT unnest(array_prepend(sender, recipients)) AS p "
                                + "FROM archive.messages WHERE conversation_id = ?) d ORDER BY p COLLATE \"C\"")) {
                    distinct.setString(1, id);
                    try (ResultSet rs = distinct.executeQuery()) {
                        while (rs.next()) {
                            participants.add(rs.getString(1));
                        }
                    }
                }
                int records = (int) Math.min(total, cap);
                ConversationInfo info = new ConversationInfo(id, List.copyOf(participants), total, records, total > cap);
                sink.start(info);
                try (PreparedStatement rows = connection.prepareStatement("SELECT " + StoredRecord.COLUMNS
                        + " FROM archive.messages WHERE conversation_id = ?" + ORDER + " LIMIT ?")) {
                    rows.setString(1, id);
                    rows.setInt(2, records);
                    rows.setFetchSize(FETCH_SIZE);
                    try (ResultSet rs = rows.executeQuery()) {
                        while (rs.next()) {
                            sink.record(StoredRecord.read(rs));
                        }
                    }
                }
                connection.commit();
                return Optional.of(info);
            } catch (SQLException | IOException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            }
        }
    }

    /** The upper bound a new search freezes: {@code to}, or now if that is earlier. */
    private Instant firstPageBound(SearchQuery query) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return query.to() != null && query.to().isBefore(now) ? query.to() : now;
    }

    private static void snapshot(Connection connection) throws SQLException {
        connection.setAutoCommit(false);
        connection.setReadOnly(true);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    }

    /** A q of only punctuation makes an empty query, which matches nothing: refused rather than answered empty. */
    private static void checkHasWords(Connection connection, String text) throws SQLException {
        try (PreparedStatement check = connection.prepareStatement("SELECT numnode(websearch_to_tsquery('simple', ?))")) {
            check.setString(1, text);
            try (ResultSet rs = check.executeQuery()) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    throw new InvalidSearchException("q", "q has no word to search for: '" + SearchQuery.excerpt(text)
                            + "' (full-text search looks for words of letters and digits)");
                }
            }
        }
    }

    /** A WHERE clause and its parameters, in order. */
    private record Where(String sql, List<Object> parameters) {
        int bind(PreparedStatement statement) throws SQLException {
            int index = 1;
            for (Object parameter : parameters) {
                if (parameter instanceof Instant instant) {
                    statement.setObject(index++, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
                } else {
                    statement.setString(index++, (String) parameter);
                }
            }
            return index;
        }
    }

    private static Where where(SearchQuery query, Instant until, SearchCursor after) {
        StringBuilder sql = new StringBuilder("sent_at < ?");
        List<Object> parameters = new ArrayList<>();
        parameters.add(until);
        if (query.from() != null) {
            sql.append(" AND sent_at >= ?");
            parameters.add(query.from());
        }
        if (after != null) {
            // (sent_at, record_id) > (last), spelt out so the sent_at index bounds the scan.
            sql.append(" AND sent_at >= ? AND (sent_at > ? OR record_id COLLATE \"C\" > ?)");
            parameters.add(after.lastSentAt());
            parameters.add(after.lastSentAt());
            parameters.add(after.lastId());
        }
        if (query.participant() != null) {
            sql.append(" AND ").append(PARTICIPANT);
            parameters.add(query.participant());
        }
        if (query.conversation() != null) {
            sql.append(" AND conversation_id = ?");
            parameters.add(query.conversation());
        }
        if (query.text() != null) {
            sql.append(" AND ").append(FULL_TEXT);
            parameters.add(query.text());
        }
        return new Where(sql.toString(), parameters);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is going back to the pool or away; the original failure matters
        }
    }
}
