package io.archiver.compliance.export;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/** One export job of the admin API as {@code archive.exports} holds it. */
public record ExportJob(String id, State state, ExportQuery query, String requestedBy, Instant requestedAt, String node,
                        Path directory, int attempts, Instant startedAt, Instant finishedAt, Long recordsTotal, long recordsDone,
                        Long files, Long bytes, Long markedExported, String manifestSha256, String error) {

    /** queued (waiting for its node, or to be resumed at its start), running, done, failed. */
    public enum State {
        QUEUED, RUNNING, DONE, FAILED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State fromWire(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }
}
