package io.archiver.store;

import java.time.Instant;
import java.util.Objects;

/**
 * Something received that cannot be archived as a record (invalid, or not even readable JSON), to be
 * kept in {@code archive.dead_letters} with the raw text so that nothing received is lost and it can be
 * replayed later. {@code recordId}, {@code frontend} and {@code receivedAt} may be null when unknown.
 */
public record Rejection(String recordId, String payload, String reason, String frontend, Instant receivedAt) {

    public Rejection {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(reason, "reason");
    }
}
