package io.archiver.compliance.conflicts;

import io.archiver.compliance.cursor.CheckedCursor;
import io.archiver.compliance.search.InvalidSearchException;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Where a page of conflicts stopped: the last one given out ({@code detectedAt}, {@code id}: the keyset),
 * in a {@link CheckedCursor} of {@code detectedAt(8, µs) | id(8)}.
 */
public record ConflictCursor(Instant detectedAt, long id) {

    private static final CheckedCursor ENVELOPE = new CheckedCursor("archiver conflicts cursor", (byte) 1);
    private static final int BODY = 8 + 8;

    public String encode() {
        return ENVELOPE.seal(ByteBuffer.allocate(BODY).putLong(micros(detectedAt)).putLong(id).array());
    }

    /** {@link InvalidSearchException} ({@code cursor}) for anything this class did not write. */
    public static ConflictCursor decode(String text) {
        ByteBuffer body;
        try {
            body = ENVELOPE.open(text, BODY, BODY);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        try {
            return new ConflictCursor(Instant.EPOCH.plus(body.getLong(), ChronoUnit.MICROS), body.getLong());
        } catch (ArithmeticException | DateTimeException e) {
            throw invalid("cursor holds a time out of range: pass the nextCursor of the previous page unchanged");
        }
    }

    private static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    private static InvalidSearchException invalid(String message) {
        return new InvalidSearchException("cursor", message);
    }
}
