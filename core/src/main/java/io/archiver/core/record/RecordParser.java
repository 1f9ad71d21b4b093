package io.archiver.core.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads records from request and message bodies and validates each one. Three shapes:
 * a JSON object or array ({@code application/json}), one object a line ({@code application/x-ndjson}),
 * and any sequence of objects and arrays (a spool message, whatever protocol delivered it).
 * Duplicate keys in an object are refused rather than letting the last one win silently.
 */
public final class RecordParser {

    private final ObjectMapper mapper;
    private final RecordValidator validator = new RecordValidator();

    public RecordParser() {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = new ObjectMapper(factory);
    }

    /** {@code application/json}: one record object, or an array of them. */
    public ParsedBatch parseJson(byte[] body, Instant now) throws MalformedBodyException {
        List<JsonNode> nodes = new ArrayList<>();
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new MalformedBodyException("body is empty: send a record object or an array of records", -1);
            }
            readValue(parser, first, nodes);
            if (parser.nextToken() != null) {
                throw new MalformedBodyException("body has content after the JSON value; send one object or one array"
                        + location(parser), nodes.size());
            }
        } catch (JsonParseException e) {
            throw malformed(e, nodes.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return validate(nodes, now);
    }

    /** {@code application/x-ndjson}: one record object a line; blank lines are skipped. */
    public ParsedBatch parseNdjson(byte[] body, Instant now) throws MalformedBodyException {
        List<JsonNode> nodes = new ArrayList<>();
        int start = 0;
        int line = 0;
        while (start < body.length) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            line++;
            if (!isBlank(body, start, end)) {
                try (JsonParser parser = mapper.createParser(body, start, end - start)) {
                    JsonToken first = parser.nextToken();
                    if (first != JsonToken.START_OBJECT) {
                        throw new MalformedBodyException("line " + line + " is not a JSON object", nodes.size());
                    }
                    nodes.add(mapper.readTree(parser));
                    if (parser.nextToken() != null) {
                        throw new MalformedBodyException("line " + line + " has content after the JSON object", nodes.size());
                    }
                } catch (JsonParseException e) {
                    throw new MalformedBodyException("line " + line + " is not valid JSON: " + e.getOriginalMessage(), nodes.size());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            start = end + 1;
        }
        if (nodes.isEmpty()) {
            throw new MalformedBodyException("body has no records: send one JSON object a line", -1);
        }
        return validate(nodes, now);
    }

    /**
     * A spool or broker message body: any sequence of record objects and arrays of them, separated by
     * white space. One record per message (AMQP, core) and batches (the HTTP front-end) read alike.
     */
    public ParsedBatch parseSequence(byte[] body, Instant now) throws MalformedBodyException {
        List<JsonNode> nodes = new ArrayList<>();
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                readValue(parser, token, nodes);
            }
        } catch (JsonParseException e) {
            throw malformed(e, nodes.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (nodes.isEmpty()) {
            throw new MalformedBodyException("message has no records", -1);
        }
        return validate(nodes, now);
    }

    /** Validates one already parsed JSON value (a stored dead letter, say). */
    public ParsedBatch parseOne(String json, Instant now) throws MalformedBodyException {
        return parseSequence(json.getBytes(StandardCharsets.UTF_8), now);
    }

    private void readValue(JsonParser parser, JsonToken token, List<JsonNode> nodes) throws IOException, MalformedBodyException {
        if (token == JsonToken.START_OBJECT) {
            nodes.add(mapper.readTree(parser));
        } else if (token == JsonToken.START_ARRAY) {
            JsonToken element;
            while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (element == null) {
                    throw new MalformedBodyException("body ends inside an array", nodes.size());
                }
                nodes.add(mapper.readTree(parser));
            }
        } else {
            throw new MalformedBodyException("body must be a record object or an array of records" + location(parser), nodes.size());
        }
    }

    private ParsedBatch validate(List<JsonNode> nodes, Instant now) {
        List<ArchiveRecord> records = new ArrayList<>(nodes.size());
        List<ParsedBatch.Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            RecordValidator.Outcome outcome = validator.validate(nodes.get(i), i, now);
            if (outcome.valid()) {
                records.add(outcome.record());
            } else {
                rejected.add(new ParsedBatch.Rejected(i, nodes.get(i).toString(), outcome.errors()));
            }
        }
        return new ParsedBatch(records, rejected);
    }

    private static MalformedBodyException malformed(JsonParseException e, int index) {
        String message = e.getOriginalMessage();
        String what = message != null && message.contains("UTF-8") ? "body is not valid UTF-8: " : "body is not valid JSON: ";
        return new MalformedBodyException(what + message + location(e.getProcessor()), index);
    }

    private static String location(JsonParser parser) {
        if (parser == null || parser.currentLocation() == null) {
            return "";
        }
        return " (line " + parser.currentLocation().getLineNr() + ", column " + parser.currentLocation().getColumnNr() + ")";
    }

    private static boolean isBlank(byte[] body, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = body[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
