package io.archiver.store;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.MalformedBodyException;
import io.archiver.core.record.ParsedBatch;
import io.archiver.core.record.RecordParser;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries the dead letters again ({@code ./archiver replay-dead-letters}): once an operator has fixed
 * what made the database refuse a record, or a validation rule was relaxed, the records go in through
 * the same {@link ArchiveWriter} (so still exactly one row per id). Each dead letter that goes in is
 * marked {@code replayed_at}; one that fails again keeps its row with {@code attempts} incremented
 * and the new reason. Pages are locked with {@code SKIP LOCKED} so two replays never take the same one.
 */
public final class DeadLetterReplayer {

    static final int PAGE = 500;
    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplayer.class);

    private static final String SELECT_PAGE = "SELECT id, payload, frontend, received_at, failed_at FROM archive.dead_letters "
            + "WHERE replayed_at IS NULL AND id > ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";
    private static final String MARK_REPLAYED = "UPDATE archive.dead_letters SET replayed_at = now() WHERE id = ?";
    private static final String MARK_FAILED = "UPDATE archive.dead_letters SET attempts = attempts + 1, reason = ?, failed_at = now() WHERE id = ?";

    private final DataSource dataSource;
    private final ArchiveWriter writer;
    private final RecordParser parser = new RecordParser();
    private final MeterRegistry registry;

    private DeadLetterReplayer(DataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.writer = new ArchiveWriter(dataSource);
        this.registry = registry;
    }

    /** Replays every unreplayed dead letter in id order; {@code registry} may be null. */
    public static ReplayResult replay(DataSource dataSource, MeterRegistry registry) throws ArchiveWriteException {
        return new DeadLetterReplayer(dataSource, registry).replayAll();
    }

    private ReplayResult replayAll() throws ArchiveWriteException {
        long after = 0;
        int replayed = 0;
        int failing = 0;
        while (true) {
            Page page = replayPage(after);
            if (page.lastId < 0) {
                break;
            }
            after = page.lastId;
            replayed += page.replayed;
            failing += page.failing;
        }
        if (registry != null) {
            registry.counter("archiver.dead.letters.replayed").increment(replayed);
        }
        log.info("dead-letter replay: {} went in, {} still failing", replayed, failing);
        return new ReplayResult(replayed, failing);
    }

    private record Page(long lastId, int replayed, int failing) {
    }

    private record Letter(long id, String payload, String frontend, Instant receivedAt) {
    }

    private Page replayPage(long after) throws ArchiveWriteException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Page page = replayPage(connection, after);
                connection.commit();
                return page;
            } catch (SQLException | IOException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // reported below
                }
                String message = "replaying dead letters failed: " + e.getMessage();
                throw SqlErrors.isTransient(e) || SqlErrors.connectionLost(connection)
                        ? new TransientDatabaseException(message, e) : new ArchiveWriteException(message, e);
            } finally {
                if (!connection.isClosed()) {
                    connection.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw new TransientDatabaseException("cannot connect to the archive database: " + e.getMessage(), e);
        }
    }

    private Page replayPage(Connection connection, long after) throws SQLException, IOException {
        List<Letter> letters = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(SELECT_PAGE)) {
            select.setLong(1, after);
            select.setInt(2, PAGE);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Timestamp received = rs.getTimestamp("received_at");
                    Timestamp failed = rs.getTimestamp("failed_at");
                    Instant at = received != null ? received.toInstant() : failed != null ? failed.toInstant() : Instant.now();
                    letters.add(new Letter(rs.getLong("id"), rs.getString("payload"), rs.getString("frontend"), at));
                }
            }
        }
        if (letters.isEmpty()) {
            return new Page(-1, 0, 0);
        }
        Map<Letter, String> failures = new LinkedHashMap<>();
        Map<Incoming, Letter> owners = new IdentityHashMap<>();
        List<Incoming> records = new ArrayList<>();
        for (Letter letter : letters) {
            try {
                ParsedBatch parsed = parser.parseOne(letter.payload, letter.receivedAt);
                if (!parsed.allValid()) {
                    failures.put(letter, "invalid record: " + String.join("; ",
                            parsed.rejected().stream().map(ParsedBatch.Rejected::reason).toList()));
                    continue;
                }
                String frontend = letter.frontend == null ? MessageReader.UNKNOWN_FRONTEND : letter.frontend;
                for (ArchiveRecord record : parsed.records()) {
                    Incoming in = new Incoming(record, frontend, letter.receivedAt);
                    owners.put(in, letter);
                    records.add(in);
                }
            } catch (MalformedBodyException e) {
                failures.put(letter, "unreadable message: " + e.getMessage());
            }
        }
        writer.write(connection, records, (in, reason) -> failures.putIfAbsent(owners.get(in), reason));
        int replayed = 0;
        try (PreparedStatement ok = connection.prepareStatement(MARK_REPLAYED);
             PreparedStatement failed = connection.prepareStatement(MARK_FAILED)) {
            for (Letter letter : letters) {
                String reason = failures.get(letter);
                if (reason == null) {
                    ok.setLong(1, letter.id);
                    ok.addBatch();
                    replayed++;
                } else {
                    failed.setString(1, SqlErrors.truncate(reason));
                    failed.setLong(2, letter.id);
                    failed.addBatch();
                }
            }
            ok.executeBatch();
            failed.executeBatch();
        }
        return new Page(letters.get(letters.size() - 1).id, replayed, letters.size() - replayed);
    }
}
