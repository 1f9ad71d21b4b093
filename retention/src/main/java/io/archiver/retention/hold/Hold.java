package io.archiver.retention.hold;

import java.time.Instant;
import java.util.Objects;

/**
 * One legal hold, as stored in {@code archive.holds}: on a participant (a normalised SIP URI) or on a
 * conversation id, never both. It is active until released; a released hold stays in the table (and
 * the audit log) for good, it is never deleted.
 *
 * @param participant  the normalised SIP URI held, or {@code null} for a conversation hold
 * @param conversation the conversation id held, or {@code null} for a participant hold
 * @param placedBy     who placed it (a token's name, or {@code cli:<user>})
 * @param releasedAt   when it was released, {@code null} while active
 * @param releasedBy   who released it, {@code null} while active
 */
public record Hold(long id, String participant, String conversation, String reason, String placedBy, Instant placedAt,
                   Instant releasedAt, String releasedBy) {

    public Hold {
        if ((participant == null) == (conversation == null)) {
            throw new IllegalArgumentException("a hold has exactly one target: a participant or a conversation");
        }
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(placedAt, "placedAt");
    }

    /** True until the hold is released: records it covers are not purged. */
    public boolean active() {
        return releasedAt == null;
    }

    public HoldTarget target() {
        return participant != null ? HoldTarget.ofNormalisedParticipant(participant) : HoldTarget.conversation(conversation);
    }

    /** {@code participant sip:alice@example.com} or {@code conversation dlg-42}. */
    public String describeTarget() {
        return target().toString();
    }
}
