package io.archiver.store;

import io.archiver.core.record.ArchiveRecord;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A validated record as it reaches the archive: the record, the front-end that received it and when.
 * The content hash is computed once here because the writer needs it for deduplication, for the row
 * and for conflict detection.
 */
public final class Incoming {

    private final ArchiveRecord record;
    private final String frontend;
    private final Instant receivedAt;
    private final byte[] contentHash;

    public Incoming(ArchiveRecord record, String frontend, Instant receivedAt) {
        this.record = Objects.requireNonNull(record, "record");
        this.frontend = Objects.requireNonNull(frontend, "frontend");
        this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
        this.contentHash = record.contentHash();
    }

    public ArchiveRecord record() {
        return record;
    }

    public String id() {
        return record.id();
    }

    public String frontend() {
        return frontend;
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    /** SHA-256 of the record's content (a copy). */
    public byte[] contentHash() {
        return contentHash.clone();
    }

    boolean sameContent(Incoming other) {
        return Arrays.equals(contentHash, other.contentHash);
    }

    byte[] hashUnsafe() {
        return contentHash;
    }

    @Override
    public String toString() {
        return "Incoming[" + record.id() + " from " + frontend + " at " + receivedAt + "]";
    }
}
