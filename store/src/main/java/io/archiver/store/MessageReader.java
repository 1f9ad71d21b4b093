package io.archiver.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.MalformedBodyException;
import io.archiver.core.record.ParsedBatch;
import io.archiver.core.record.RecordParser;
import io.archiver.core.spool.SpoolFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.activemq.artemis.api.core.ActiveMQBuffer;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ClientMessage;

/**
 * Turns one broker message into records to archive and rejections to dead-letter, whatever protocol
 * sent it: TEXT bodies (AMQP string values, JMS text messages) and BYTES bodies (core senders, AMQP
 * data sections) alike. Missing delivery properties are not an error: the front-end is then
 * {@value #UNKNOWN_FRONTEND} and the time received is the message timestamp.
 */
final class MessageReader {

    static final String UNKNOWN_FRONTEND = "unknown";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordParser parser = new RecordParser();

    /** What one message holds. */
    record Content(List<Incoming> records, List<Rejection> rejections) {
    }

    Content read(ClientMessage message) {
        String frontend = frontend(message);
        Instant receivedAt = receivedAt(message);
        byte[] body;
        try {
            body = body(message);
        } catch (RuntimeException e) {
            return rejected("", "cannot read the message body: " + e, frontend, receivedAt);
        }
        if (body == null) {
            return rejected("", "message of type " + message.getType() + " has no text or bytes body", frontend, receivedAt);
        }
        ParsedBatch parsed;
        try {
            parsed = parser.parseSequence(body, receivedAt);
        } catch (MalformedBodyException e) {
            return rejected(new String(body, StandardCharsets.UTF_8), "unreadable message: " + e.getMessage(), frontend, receivedAt);
        }
        List<Incoming> records = new ArrayList<>(parsed.records().size());
        for (ArchiveRecord record : parsed.records()) {
            records.add(new Incoming(record, frontend, receivedAt));
        }
        List<Rejection> rejections = new ArrayList<>(parsed.rejected().size());
        for (ParsedBatch.Rejected r : parsed.rejected()) {
            rejections.add(new Rejection(idOf(r.json()), r.json(), "invalid record: " + r.reason(), frontend, receivedAt));
        }
        return new Content(records, rejections);
    }

    private static Content rejected(String payload, String reason, String frontend, Instant receivedAt) {
        return new Content(List.of(), List.of(new Rejection(null, payload, reason, frontend, receivedAt)));
    }

    /** The body as UTF-8 bytes, or null for body types that cannot hold records. */
    static byte[] body(ClientMessage message) {
        byte type = message.getType();
        ActiveMQBuffer buffer = message.getBodyBuffer();
        if (type == Message.TEXT_TYPE) {
            SimpleString text = buffer.readNullableSimpleString();
            return text == null ? new byte[0] : text.toString().getBytes(StandardCharsets.UTF_8);
        }
        if (type == Message.BYTES_TYPE || type == Message.DEFAULT_TYPE) {
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            return bytes;
        }
        return null;
    }

    static String frontend(ClientMessage message) {
        try {
            Object value = message.getObjectProperty(SpoolFormat.FRONTEND);
            if (value != null && !value.toString().isBlank()) {
                return value.toString();
            }
        } catch (RuntimeException ignored) {
            // fall through to unknown
        }
        return UNKNOWN_FRONTEND;
    }

    static Instant receivedAt(ClientMessage message) {
        try {
            Object value = message.getObjectProperty(SpoolFormat.RECEIVED_AT);
            if (value instanceof Number number && number.longValue() > 0) {
                return Instant.ofEpochMilli(number.longValue());
            }
            if (value != null) {
                long millis = Long.parseLong(value.toString().trim());
                if (millis > 0) {
                    return Instant.ofEpochMilli(millis);
                }
            }
        } catch (RuntimeException ignored) {
            // fall through to the message timestamp
        }
        long timestamp = message.getTimestamp();
        return timestamp > 0 ? Instant.ofEpochMilli(timestamp) : Instant.now();
    }

    /** The record's id if the refused JSON has a usable one (for finding the dead letter later). */
    static String idOf(String json) {
        try {
            JsonNode id = JSON.readTree(json).get("id");
            if (id != null && id.isTextual() && !id.asText().isEmpty() && id.asText().length() <= 128) {
                return id.asText();
            }
        } catch (Exception ignored) {
            // no id then
        }
        return null;
    }
}
