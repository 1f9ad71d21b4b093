package io.archiver.store;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of the archive as the code sees it, in one place: the tables, the column lists the writer,
 * the readers and the integrity check use, and the names of the day partitions of
 * {@code archive.messages} ({@code archive.messages_pYYYYMMDD}, and {@code ..._expired} for a day on its
 * way out of a purge). The tables themselves are the migrations' ({@code db/migration/archive}); a new
 * column is added there and here. Rows are read by {@link StoredRecord#read}.
 */
public final class ArchiveTable {

    /** Every archived record, partitioned by UTC day of {@code sent_at}. */
    public static final String MESSAGES = "archive.messages";
    /** Every archived id once: the archive-wide uniqueness the partitions cannot enforce. */
    public static final String IDS = "archive.message_ids";
    /** A record that arrived under an archived id with other content (same columns as {@link #MESSAGES}'s written ones). */
    public static final String CONFLICTS = "archive.conflicts";

    /** The record's own columns (the contract's fields), in the order of its content hash. */
    public static final String RECORD_COLUMNS = "record_id, conversation_id, kind, sent_at, sender, recipients, content_type, body, external";
    /** What the writer puts into {@link #MESSAGES} and {@link #CONFLICTS}: the record, where and when it was received, its hash. */
    public static final String WRITTEN_COLUMNS = RECORD_COLUMNS + ", frontend, received_at, content_hash";
    /** What a reader of an archived record gets ({@link StoredRecord#read}): the record and what the archive added. */
    public static final String STORED_COLUMNS = RECORD_COLUMNS + ", frontend, received_at, archived_at, exported_at";
    /** The columns of {@link #IDS}. */
    public static final String ID_COLUMNS = "record_id, sent_at, content_hash";

    private static final String PARTITION_PREFIX = "messages_p";
    private static final String EXPIRED_SUFFIX = "_expired";
    private static final Pattern PARTITION = Pattern.compile(PARTITION_PREFIX + "(\\d{8})");
    private static final Pattern EXPIRED = Pattern.compile(PARTITION_PREFIX + "(\\d{8})" + EXPIRED_SUFFIX);
    /** {@link #expiredPartition} names as a PostgreSQL regular expression, for the catalogue. */
    public static final String EXPIRED_PARTITION_REGEX = "^" + PARTITION_PREFIX + "[0-9]{8}" + EXPIRED_SUFFIX + "$";

    private ArchiveTable() {
    }

    /** The name (in schema {@code archive}) of the partition of {@code day}: {@code messages_p20261124}. */
    public static String partition(LocalDate day) {
        return PARTITION_PREFIX + day.format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    /** {@code archive.} + {@link #partition}. */
    public static String qualifiedPartition(LocalDate day) {
        return "archive." + partition(day);
    }

    /** The name a purge gives a day's table once it has renamed it to detach and drop it. */
    public static String expiredPartition(LocalDate day) {
        return partition(day) + EXPIRED_SUFFIX;
    }

    /** The day of a partition's name, or empty for any other table. */
    public static Optional<LocalDate> dayOfPartition(String name) {
        return day(PARTITION.matcher(name));
    }

    /** The day of an {@link #expiredPartition} name, or empty for any other table. */
    public static Optional<LocalDate> dayOfExpiredPartition(String name) {
        return day(EXPIRED.matcher(name));
    }

    private static Optional<LocalDate> day(Matcher m) {
        return m.matches() ? Optional.of(LocalDate.parse(m.group(1), DateTimeFormatter.BASIC_ISO_DATE)) : Optional.empty();
    }
}
