package io.archiver.retention.hold;

import io.archiver.store.AuditLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Legal holds in {@code archive.holds} (contract sections 4, 5 and 8): place, release, list. A record
 * covered by an active hold (on its sender or one of its recipients, or on its conversation) is never
 * purged; releasing the hold makes it eligible again, unless another active hold still covers it.
 *
 * <p>Every {@link #place} and {@link #release} writes its {@code archive.audit_log} row (actions
 * {@code hold.place} and {@code hold.release}) in the same transaction as the change, so neither
 * exists without the other. A refused release (unknown id, already released) is audited too. Reads
 * ({@link #list}, {@link #find}) are not audited here: the caller knows who asked and how (HTTP,
 * CLI) and writes that row.
 *
 * <p><b>The same target held twice.</b> {@link #place} always creates a new hold, even when an active
 * hold on the same participant or conversation exists. Holds are placed per matter: two matters on
 * the same custodian have their own reason, their own placer and their own end, and releasing one must
 * not release the other, nor must placing the second silently vanish into the first (the auditor would
 * find no trace of the second request). Records stay held while any active hold covers them. The
 * {@code hold.place} audit row lists the other active holds on the same target
 * ({@code otherActiveHolds}), and {@link #activeOn} lets the API and the CLI tell the caller.
 * An exact resubmission (same target, reason and actor) also creates a second hold: holding more never
 * loses a record, and both are visible and releasable one by one.
 *
 * <p>Actors are free-form names ({@code Principal.name()} of a token, {@code cli:<user>}), 1-256
 * characters without control characters.
 */
public final class HoldStore {

    public static final String ACTION_PLACE = "hold.place";
    public static final String ACTION_RELEASE = "hold.release";
    public static final String ACTION_LIST = "hold.list";
    public static final String ACTION_GET = "hold.get";
    public static final int MAX_ACTOR_LENGTH = 256;

    private static final String COLUMNS = "id, participant, conversation_id, reason, placed_by, placed_at, released_at, released_by";

    private final DataSource dataSource;

    public HoldStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Places a new hold on {@code target} (see the class comment: never merged into an existing one).
     *
     * @throws InvalidHoldException the target, the reason or the actor is not acceptable
     */
    public Hold place(HoldTarget target, String reason, String actor) throws SQLException {
        Objects.requireNonNull(target, "target");
        List<InvalidHoldException.Problem> problems = new ArrayList<>();
        // Checked again: a record's canonical constructor cannot be closed to callers.
        HoldTarget checkedTarget = HoldTarget.check(target.participant(), target.conversation(), problems);
        String checkedReason = HoldRequest.checkReason(reason, problems);
        checkActor(actor, problems);
        if (!problems.isEmpty()) {
            throw new InvalidHoldException(problems);
        }
        return inTransaction(connection -> placeChecked(connection, checkedTarget, checkedReason, actor));
    }

    private static Hold placeChecked(Connection connection, HoldTarget target, String checkedReason, String actor)
            throws SQLException {
        Hold hold;
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO archive.holds "
                + "(participant, conversation_id, reason, placed_by) VALUES (?, ?, ?, ?) RETURNING " + COLUMNS)) {
            insert.setString(1, target.participant());
            insert.setString(2, target.conversation());
            insert.setString(3, checkedReason);
            insert.setString(4, actor);
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                hold = read(rs);
            }
        }
        List<Long> others = activeIds(connection, target, hold.id());
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put(target.kind(), target.value());
        parameters.put("reason", checkedReason);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", hold.id());
        result.put("placedAt", hold.placedAt().toString());
        result.put("otherActiveHolds", others);
        AuditLog.record(connection, actor, ACTION_PLACE, parameters, result);
        return hold;
    }

    /** {@link #place} of a checked request. */
    public Hold place(HoldRequest request, String actor) throws SQLException {
        return place(request.target(), request.reason(), actor);
    }

    /**
     * Releases an active hold; the audit row says who and when.
     *
     * @return the released hold, or empty when there is no hold {@code id}
     * @throws HoldAlreadyReleasedException the hold was released before (when and by whom is in it)
     * @throws InvalidHoldException the actor is not acceptable
     */
    public Optional<Hold> release(long id, String actor) throws SQLException {
        List<InvalidHoldException.Problem> problems = new ArrayList<>();
        checkActor(actor, problems);
        if (!problems.isEmpty()) {
            throw new InvalidHoldException(problems);
        }
        Map<String, Object> parameters = Map.of("id", id);
        Outcome outcome = inTransaction(connection -> {
            Hold released = null;
            try (PreparedStatement update = connection.prepareStatement("UPDATE archive.holds SET released_at = now(), "
                    + "released_by = ? WHERE id = ? AND released_at IS NULL RETURNING " + COLUMNS)) {
                update.setString(1, actor);
                update.setLong(2, id);
                try (ResultSet rs = update.executeQuery()) {
                    if (rs.next()) {
                        released = read(rs);
                    }
                }
            }
            if (released != null) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("id", id);
                result.put(released.target().kind(), released.target().value());
                result.put("releasedAt", released.releasedAt().toString());
                AuditLog.record(connection, actor, ACTION_RELEASE, parameters, result);
                return new Outcome(released, false);
            }
            Optional<Hold> existing = find(connection, id);
            Map<String, Object> result = new LinkedHashMap<>();
            if (existing.isEmpty()) {
                result.put("error", "unknown hold");
            } else {
                result.put("error", "already released");
                result.put("releasedAt", existing.get().releasedAt().toString());
                result.put("releasedBy", existing.get().releasedBy());
            }
            AuditLog.record(connection, actor, ACTION_RELEASE, parameters, result);
            return new Outcome(existing.orElse(null), existing.isPresent());
        });
        if (outcome.alreadyReleased()) {
            throw new HoldAlreadyReleasedException(outcome.hold());
        }
        return Optional.ofNullable(outcome.hold());
    }

    /** Holds in the order they were placed: the active ones, or all of them. */
    public List<Hold> list(boolean includeReleased) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM archive.holds" + (includeReleased ? "" : " WHERE released_at IS NULL") + " ORDER BY id";
        List<Hold> holds = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql);
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                holds.add(read(rs));
            }
        }
        return holds;
    }

    public Optional<Hold> find(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return find(connection, id);
        }
    }

    /** The active holds on exactly this target, in the order they were placed. */
    public List<Hold> activeOn(HoldTarget target) throws SQLException {
        String column = target.isParticipant() ? "participant" : "conversation_id";
        List<Hold> holds = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM archive.holds WHERE "
                     + column + " = ? AND released_at IS NULL ORDER BY id")) {
            select.setString(1, target.value());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    holds.add(read(rs));
                }
            }
        }
        return holds;
    }

    /** Whether {@code archive.holds} and {@code archive.audit_log} exist (the migrations ran). */
    public boolean schemaPresent() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT to_regclass('archive.holds') IS NOT NULL "
                     + "AND to_regclass('archive.audit_log') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Adds a problem when {@code actor} cannot be recorded as who placed or released a hold. */
    static void checkActor(String actor, List<InvalidHoldException.Problem> problems) {
        if (actor == null || actor.isBlank()) {
            problems.add(new InvalidHoldException.Problem("actor", "is required: who places or releases the hold"));
        } else if (actor.length() > MAX_ACTOR_LENGTH) {
            problems.add(new InvalidHoldException.Problem("actor", "must be at most " + MAX_ACTOR_LENGTH + " characters"));
        } else if (actor.codePoints().anyMatch(Character::isISOControl)) {
            problems.add(new InvalidHoldException.Problem("actor", "must not contain control characters"));
        }
    }

    private static Optional<Hold> find(Connection connection, long id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM archive.holds WHERE id = ?")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static List<Long> activeIds(Connection connection, HoldTarget target, long except) throws SQLException {
        String column = target.isParticipant() ? "participant" : "conversation_id";
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT id FROM archive.holds WHERE " + column
                + " = ? AND released_at IS NULL AND id <> ? ORDER BY id")) {
            select.setString(1, target.value());
            select.setLong(2, except);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    private static Hold read(ResultSet rs) throws SQLException {
        OffsetDateTime placedAt = rs.getObject("placed_at", OffsetDateTime.class);
        OffsetDateTime releasedAt = rs.getObject("released_at", OffsetDateTime.class);
        return new Hold(rs.getLong("id"), rs.getString("participant"), rs.getString("conversation_id"), rs.getString("reason"),
                rs.getString("placed_by"), placedAt.toInstant(), releasedAt == null ? null : releasedAt.toInstant(),
                rs.getString("released_by"));
    }

    private record Outcome(Hold hold, boolean alreadyReleased) {
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }
}
