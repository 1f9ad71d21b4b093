package io.archiver.core.record;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies every rule of the archive record (contract section 2) to one record read from JSON and either
 * returns the normalised record or the list of what is wrong with it, field by field.
 */
public final class RecordValidator {

    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final int MAX_RECIPIENTS = 1000;

    private static final int MAX_ID_LENGTH = 128;

    /** The outcome for one record: exactly one of record and errors is set. */
    public record Outcome(ArchiveRecord record, List<FieldError> errors) {
        public boolean valid() {
            return record != null;
        }
    }

    /**
     * @param now the time the record was received; {@code sentAt} may be at most
     *            {@link #MAX_CLOCK_SKEW} after it
     */
    Outcome validate(RawRecord node, int index, Instant now) {
        List<FieldError> errors = new ArrayList<>();
        if (!node.isObject()) {
            errors.add(new FieldError(index, "", "must be a JSON object"));
            return new Outcome(null, errors);
        }
        for (String name : node.unknownFields()) {
            errors.add(new FieldError(index, name, "unknown field (allowed: " + String.join(", ", RawRecord.FIELDS) + ")"));
        }
        Fields f = new Fields(node, index, errors);

        String id = f.requiredString("id");
        if (id != null && !validId(id)) {
            f.error("id", "must be 1-128 characters of A-Za-z0-9._:@-");
        }
        String conversationId = f.requiredString("conversationId");
        if (conversationId != null) {
            int length = conversationId.codePointCount(0, conversationId.length());
            if (length < 1 || length > 256) {
                f.error("conversationId", "must be 1-256 characters");
            } else if (conversationId.codePoints().anyMatch(Character::isISOControl)) {
                f.error("conversationId", "must not contain control characters");
            } else if (hasUnpairedSurrogate(conversationId)) {
                f.error("conversationId", "contains an unpaired UTF-16 surrogate");
            }
        }
        Kind kind = Kind.MESSAGE;
        String kindName = f.optionalString("kind");
        if (kindName != null) {
            Optional<Kind> parsed = Kind.fromWire(kindName);
            if (parsed.isPresent()) {
                kind = parsed.get();
            } else {
                f.error("kind", "must be one of " + Kind.allowedValues());
            }
        }
        Instant sentAt = parseSentAt(f, now);
        String from = null;
        String rawFrom = f.requiredString("from");
        if (rawFrom != null) {
            from = ParticipantUri.normalize(rawFrom).orElse(null);
            if (from == null) {
                f.error("from", "must be a SIP URI sip:user@domain or an XMPP URI xmpp:user@domain");
            }
        }
        List<String> to = parseRecipients(f, kind);
        String contentType = f.optionalString("contentType");
        if (contentType == null) {
            contentType = ArchiveRecord.DEFAULT_CONTENT_TYPE;
        } else if (!ArchiveRecord.CONTENT_TYPES.contains(contentType)) {
            f.error("contentType", "must be one of " + String.join(", ", ArchiveRecord.CONTENT_TYPES));
        }
        String body = kind.carriesMessage() ? f.requiredString("body") : f.optionalString("body");
        if (body != null) {
            if (body.indexOf('\u0000') >= 0) {
                f.error("body", "must not contain NUL (\\u0000)");
            } else if (hasUnpairedSurrogate(body)) {
                f.error("body", "contains an unpaired UTF-16 surrogate");
            } else if (longerThanUtf8Limit(body)) {
                f.error("body", "is longer than 65536 bytes of UTF-8");
            }
        }
        boolean external = f.optionalBoolean("external");

        if (!errors.isEmpty()) {
            return new Outcome(null, errors);
        }
        return new Outcome(new ArchiveRecord(id, conversationId, kind, sentAt, from, to, contentType, body, external), List.of());
    }

    private static Instant parseSentAt(Fields f, Instant now) {
        String text = f.requiredString("sentAt");
        if (text == null) {
            return null;
        }
        Rfc3339.Result parsed = Rfc3339.parse(text);
        if (parsed.instant() == null) {
            f.error("sentAt", parsed.problem());
            return null;
        }
        Instant sentAt = parsed.instant();
        if (sentAt.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            f.error("sentAt", "is more than 5 minutes in the future");
            return null;
        }
        return sentAt.truncatedTo(ChronoUnit.MICROS);
    }

    private static List<String> parseRecipients(Fields f, Kind kind) {
        RawRecord.Value node = f.node.get("to");
        if (node == null || node.isNull()) {
            if (kind.carriesMessage()) {
                f.error("to", "is required for " + kind.wireName() + ": 1-1000 SIP URIs");
            }
            return List.of();
        }
        if (!node.isArray()) {
            f.error("to", "must be an array of SIP URIs");
            return List.of();
        }
        List<RawRecord.Value> elements = node.elements();
        if (kind.carriesMessage() && elements.isEmpty()) {
            f.error("to", "must have at least one recipient for " + kind.wireName());
            return List.of();
        }
        if (elements.size() > MAX_RECIPIENTS) {
            f.error("to", "has " + elements.size() + " recipients; at most 1000 are allowed");
            return List.of();
        }
        List<String> to = new ArrayList<>(elements.size());
        for (int i = 0; i < elements.size(); i++) {
            RawRecord.Value element = elements.get(i);
            Optional<String> uri = element.isString() ? ParticipantUri.normalize(element.text()) : Optional.empty();
            if (uri.isEmpty()) {
                f.error("to[" + i + "]", "must be a SIP URI sip:user@domain or an XMPP URI xmpp:user@domain");
            } else {
                to.add(uri.get());
            }
        }
        return to;
    }

    /** 1-128 characters of {@code A-Za-z0-9._:@-}. */
    static boolean validId(String id) {
        int n = id.length();
        if (n < 1 || n > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A lone UTF-16 surrogate: text that cannot be encoded as UTF-8 (nor stored by PostgreSQL). */
    public static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the UTF-8 form exceeds {@link #MAX_BODY_BYTES}; short strings are decided without encoding. */
    static boolean longerThanUtf8Limit(String s) {
        if (s.length() * 3L <= MAX_BODY_BYTES) {
            return false;
        }
        return s.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES;
    }

    /** Typed access to the fields of one record, collecting errors as it goes. */
    private static final class Fields {
        final RawRecord node;
        final int index;
        final List<FieldError> errors;

        Fields(RawRecord node, int index, List<FieldError> errors) {
            this.node = node;
            this.index = index;
            this.errors = errors;
        }

        void error(String field, String reason) {
            errors.add(new FieldError(index, field, reason));
        }

        String requiredString(String field) {
            RawRecord.Value value = node.get(field);
            if (value == null || value.isNull()) {
                error(field, "is required");
                return null;
            }
            return string(field, value);
        }

        String optionalString(String field) {
            RawRecord.Value value = node.get(field);
            return value == null || value.isNull() ? null : string(field, value);
        }

        boolean optionalBoolean(String field) {
            RawRecord.Value value = node.get(field);
            if (value == null || value.isNull()) {
                return false;
            }
            if (!value.isBoolean()) {
                error(field, "must be true or false");
                return false;
            }
            return value.token() == com.fasterxml.jackson.core.JsonToken.VALUE_TRUE;
        }

        private String string(String field, RawRecord.Value value) {
            if (!value.isString()) {
                error(field, "must be a string");
                return null;
            }
            return value.text();
        }
    }
}
