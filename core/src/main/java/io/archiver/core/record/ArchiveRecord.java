package io.archiver.core.record;

import java.time.Instant;
import java.util.List;

/**
 * One IM event as the archive keeps it: validated and normalised (SIP domains folded to lower case,
 * {@code sentAt} in UTC truncated to the microsecond PostgreSQL stores). Build one with
 * {@link RecordParser}; its {@link #contentHash()} identifies the content independently of which
 * front-end delivered it and when.
 */
public record ArchiveRecord(
        String id,
        String conversationId,
        Kind kind,
        Instant sentAt,
        String from,
        List<String> to,
        String contentType,
        String body,
        boolean external) {

    public static final String DEFAULT_CONTENT_TYPE = "text/plain";
    public static final List<String> CONTENT_TYPES =
            List.of("text/plain", "text/html", "text/rtf", "text/x-msmsgsinvite");

    public ArchiveRecord {
        to = List.copyOf(to);
    }

    /** SHA-256 of the canonical content; see {@link ContentHash}. */
    public byte[] contentHash() {
        return ContentHash.of(this);
    }
}
