package io.archiver.compliance.export;

import io.archiver.core.record.ParticipantUri;
import io.archiver.core.record.SipUri;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What to export: records with {@code from <= sentAt < to}, of which at least one of {@code participants}
 * is the sender or a recipient (when any are given), in one of {@code conversations} (when any are given),
 * written as {@code format}; {@code markExported} sets {@code exported_at} on the rows exported.
 * Participants are kept in the archive's normal form ({@link SipUri#normalize}).
 */
public record ExportQuery(Instant from, Instant to, List<String> participants, List<String> conversations,
                          ExportFormat format, boolean markExported) {

    /** How the fields are called where the query came from, for messages that name what to fix. */
    public record Names(String from, String to, String participants, String conversations, String format) {
        public static final Names CLI = new Names("--from", "--to", "--participant", "--conversation", "--format");
        public static final Names JSON = new Names("from", "to", "participants", "conversations", "format");
    }

    public static final int MAX_CONVERSATION_ID = 256;

    public ExportQuery {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(format, "format");
        participants = List.copyOf(participants);
        conversations = List.copyOf(conversations);
    }

    /** A checked query, or {@link IllegalArgumentException} naming the field (as {@code names} calls it) to fix. */
    public static ExportQuery of(Instant from, Instant to, List<String> participants, List<String> conversations,
                                 String format, boolean markExported, Names names) {
        if (from == null) {
            throw new IllegalArgumentException(names.from() + " is required");
        }
        if (to == null) {
            throw new IllegalArgumentException(names.to() + " is required");
        }
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException(names.from() + " must be before " + names.to() + " (the range is [from, to))");
        }
        ExportFormat f = ExportFormat.fromWire(format).orElseThrow(() -> new IllegalArgumentException(
                names.format() + " must be one of eml, jsonl, csv" + (format == null ? "" : " (not '" + format + "')")));
        Set<String> normal = new LinkedHashSet<>();
        for (String p : participants == null ? List.<String>of() : participants) {
            normal.add(ParticipantUri.normalize(p == null ? "" : p.trim()).orElseThrow(() -> new IllegalArgumentException(
                    names.participants() + " '" + p + "' is not a SIP URI sip:user@domain (nor an XMPP URI xmpp:user@domain)")));
        }
        Set<String> convs = new LinkedHashSet<>();
        for (String c : conversations == null ? List.<String>of() : conversations) {
            if (c == null || c.isEmpty() || c.length() > MAX_CONVERSATION_ID || c.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException(names.conversations() + " '" + c
                        + "' is not a conversation id (1-" + MAX_CONVERSATION_ID + " characters, no control characters)");
            }
            convs.add(c);
        }
        return new ExportQuery(from, to, new ArrayList<>(normal), new ArrayList<>(convs), f, markExported);
    }

    /** The query as plain JSON values (manifest, audit log). */
    public Map<String, Object> asMap() {
        return Map.of("from", from.toString(), "to", to.toString(), "participants", participants,
                "conversations", conversations, "format", format.wireName(), "markExported", markExported);
    }
}
