package io.archiver.store;

/**
 * What one {@link ArchiveWriter} call did: records newly archived, records already archived with the
 * same content (redeliveries, retries), records whose id was archived with other content (kept in
 * {@code archive.conflicts}; a conflict seen again counts as a duplicate), and entries written to
 * {@code archive.dead_letters}.
 */
public record WriteResult(int inserted, int duplicates, int conflicts, int deadLettered) {

    public static final WriteResult NONE = new WriteResult(0, 0, 0, 0);

    public WriteResult plus(WriteResult other) {
        return new WriteResult(inserted + other.inserted, duplicates + other.duplicates,
                conflicts + other.conflicts, deadLettered + other.deadLettered);
    }

    /** Every record and rejection accounted for. */
    public int total() {
        return inserted + duplicates + conflicts + deadLettered;
    }
}
