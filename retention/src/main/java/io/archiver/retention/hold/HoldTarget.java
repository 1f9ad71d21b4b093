package io.archiver.retention.hold;

import io.archiver.core.record.ParticipantUri;
import io.archiver.core.record.SipUri;
import java.util.ArrayList;
import java.util.List;

/**
 * What a hold covers: every record a participant sent or received, or every record of one
 * conversation. Build it with {@link #of}, {@link #participant} or {@link #conversation}, which check
 * the value and keep the participant in the archive's normal form ({@link SipUri#normalize}:
 * domain in lower case), since the purge compares it with {@code archive.messages.sender} and
 * {@code recipients} exactly as stored: only the domain is folded, the user part is case-sensitive
 * (RFC 3261), as in the archive. The conversation id is kept exactly as given. (The canonical
 * constructor checks nothing; {@link HoldStore#place} checks its target again.)
 */
public record HoldTarget(String participant, String conversation) {

    public static final int MAX_CONVERSATION_LENGTH = 256;

    public HoldTarget {
        if ((participant == null) == (conversation == null)) {
            throw new IllegalArgumentException("a hold target is a participant or a conversation, exactly one");
        }
    }

    /**
     * From the two optional inputs of the API and the CLI ({@code null} = not given). Refuses both,
     * neither, a participant that is not {@code sip:user@domain}, and a conversation id that is not
     * 1-256 characters without control characters.
     *
     * @throws InvalidHoldException listing every problem
     */
    public static HoldTarget of(String participant, String conversation) {
        List<InvalidHoldException.Problem> problems = new ArrayList<>();
        HoldTarget target = check(participant, conversation, problems);
        if (!problems.isEmpty()) {
            throw new InvalidHoldException(problems);
        }
        return target;
    }

    public static HoldTarget participant(String uri) {
        return of(uri, null);
    }

    public static HoldTarget conversation(String id) {
        return of(null, id);
    }

    /** A participant read back from {@code archive.holds}: already normal, not checked again. */
    static HoldTarget ofNormalisedParticipant(String uri) {
        return new HoldTarget(uri, null);
    }

    /** Adds the problems of the two inputs to {@code problems}; returns the target when there are none. */
    static HoldTarget check(String participant, String conversation, List<InvalidHoldException.Problem> problems) {
        if (participant != null && conversation != null) {
            problems.add(new InvalidHoldException.Problem("participant",
                    "give a participant or a conversation, not both (place two holds to cover both)"));
            return null;
        }
        if (participant == null && conversation == null) {
            problems.add(new InvalidHoldException.Problem("participant",
                    "a hold needs a target: a participant (sip:user@domain) or a conversation id"));
            return null;
        }
        if (participant != null) {
            String normal = ParticipantUri.normalize(participant.strip()).orElse(null);
            if (normal == null) {
                problems.add(new InvalidHoldException.Problem("participant",
                        "must be a SIP URI sip:user@domain, not '" + excerpt(participant) + "' (or an XMPP URI xmpp:user@domain)"));
                return null;
            }
            return new HoldTarget(normal, null);
        }
        int length = conversation.codePointCount(0, conversation.length());
        String problem = null;
        if (length < 1 || length > MAX_CONVERSATION_LENGTH) {
            problem = "must be 1-" + MAX_CONVERSATION_LENGTH + " characters, not " + length;
        } else if (conversation.codePoints().anyMatch(Character::isISOControl)) {
            problem = "must not contain control characters";
        } else if (Text.hasUnpairedSurrogate(conversation)) {
            problem = "contains an unpaired UTF-16 surrogate";
        }
        if (problem != null) {
            problems.add(new InvalidHoldException.Problem("conversation", problem));
            return null;
        }
        return new HoldTarget(null, conversation);
    }

    public boolean isParticipant() {
        return participant != null;
    }

    /** {@code participant} or {@code conversation}: the field name in the API and the audit log. */
    public String kind() {
        return isParticipant() ? "participant" : "conversation";
    }

    public String value() {
        return isParticipant() ? participant : conversation;
    }

    @Override
    public String toString() {
        return kind() + " " + value();
    }

    private static String excerpt(String value) {
        String printable = value.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() <= 80 ? printable : printable.substring(0, 77) + "...";
    }
}
