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
        Spans spans = new Spans();
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new MalformedBodyException("body is empty: send a record object or an array of records", -1);
            }
            readValue(parser, first, nodes, spans);
            if (parser.nextToken() != null) {
                throw new MalformedBodyException("body has content after the JSON value; send one object or one array"
                        + location(parser), nodes.size());
            }
        } catch (JsonParseException e) {
            throw malformed(e, nodes.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return validate(nodes, now, body, spans);
    }

    /**
     * {@code application/x-ndjson}: one record object a line; blank lines are skipped. One parser reads
     * the whole body (a parser per line costs more than the parsing), checking that every object starts
     * on a line of its own and ends on it.
     */
    public ParsedBatch parseNdjson(byte[] body, Instant now) throws MalformedBodyException {
        List<JsonNode> nodes = new ArrayList<>();
        Spans spans = new Spans();
        int lastLine = 0;
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                int line = parser.currentTokenLocation().getLineNr();
                if (line == lastLine) {
                    throw new MalformedBodyException("line " + line + " holds more than one JSON value; send one record a line", nodes.size());
                }
                if (token != JsonToken.START_OBJECT) {
                    throw new MalformedBodyException("line " + line + " is not a JSON object", nodes.size());
                }
                long start = parser.currentTokenLocation().getByteOffset();
                nodes.add(mapper.readTree(parser));
                spans.add(start, parser.currentLocation().getByteOffset());
                lastLine = parser.currentLocation().getLineNr();
                if (lastLine != line) {
                    throw new MalformedBodyException("line " + line + ": a record must be on one line", nodes.size() - 1);
                }
            }
        } catch (JsonParseException e) {
            int line = e.getLocation() == null ? lastLine + 1 : e.getLocation().getLineNr();
            throw new MalformedBodyException("line " + line + " is not valid JSON: " + e.getOriginalMessage(), nodes.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (nodes.isEmpty()) {
            throw new MalformedBodyException("body has no records: send one JSON object a line", -1);
        }
        return validate(nodes, now, body, spans);
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
                readValue(parser, token, nodes, null);
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

    private void readValue(JsonParser parser, JsonToken token, List<JsonNode> nodes, Spans spans) throws IOException, MalformedBodyException {
        if (token == JsonToken.START_OBJECT) {
            readObject(parser, nodes, spans);
        } else if (token == JsonToken.START_ARRAY) {
            JsonToken element;
            while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (element == null) {
                    throw new MalformedBodyException("body ends inside an array", nodes.size());
                }
                readObject(parser, nodes, spans);
            }
        } else {
            throw new MalformedBodyException("body must be a record object or an array of records" + location(parser), nodes.size());
        }
    }

    /** Reads one value (an object, or anything else that validation will refuse) and notes its bytes. */
    private void readObject(JsonParser parser, List<JsonNode> nodes, Spans spans) throws IOException {
        long start = parser.currentTokenLocation().getByteOffset();
        nodes.add(mapper.readTree(parser));
        if (spans != null) {
            spans.add(start, parser.currentLocation().getByteOffset());
        }
    }

    private ParsedBatch validate(List<JsonNode> nodes, Instant now) {
        return validate(nodes, now, null, null);
    }

    private ParsedBatch validate(List<JsonNode> nodes, Instant now, byte[] body, Spans spans) {
        List<ArchiveRecord> records = new ArrayList<>(nodes.size());
        List<ParsedBatch.Rejected> rejected = new ArrayList<>();
        Spans validSpans = spans == null || !spans.complete() ? null : new Spans();
        for (int i = 0; i < nodes.size(); i++) {
            RecordValidator.Outcome outcome = validator.validate(nodes.get(i), i, now);
            if (outcome.valid()) {
                records.add(outcome.record());
                if (validSpans != null) {
                    validSpans.add(spans.start(i), spans.end(i));
                }
            } else {
                rejected.add(new ParsedBatch.Rejected(i, nodes.get(i).toString(), outcome.errors()));
            }
        }
        return validSpans == null || !validSpans.complete()
                ? new ParsedBatch(records, rejected)
                : new ParsedBatch(records, rejected, body, validSpans.toArray());
    }

    /** Byte offsets [start, end) of each record's JSON text in the body, as the parser saw them. */
    private static final class Spans {
        private int[] offsets = new int[64];
        private int size;
        private boolean complete = true;

        void add(long start, long end) {
            if (start < 0 || end < start || end > Integer.MAX_VALUE) {
                complete = false;
                return;
            }
            if (size + 2 > offsets.length) {
                offsets = java.util.Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[size++] = (int) start;
            offsets[size++] = (int) end;
        }

        int start(int i) {
            return offsets[2 * i];
        }

        int end(int i) {
            return offsets[2 * i + 1];
        }

        boolean complete() {
            return complete;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(offsets, size);
        }
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
}
