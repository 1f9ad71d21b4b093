package io.archiver.core.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads records from request and message bodies and validates each one. Three shapes:
 * a JSON object or array ({@code application/json}), one object a line ({@code application/x-ndjson}),
 * and any sequence of objects and arrays (a spool message, whatever protocol delivered it).
 * Duplicate keys in an object are refused rather than letting the last one win silently. Each
 * record's byte span in the body is kept, so a valid record can be forwarded and a refused one
 * dead-lettered exactly as it was received.
 */
public final class RecordParser {

    private final JsonFactory factory = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final RecordValidator validator = new RecordValidator();

    /** {@code application/json}: one record object, or an array of them. */
    public ParsedBatch parseJson(byte[] body, Instant now) throws MalformedBodyException {
        Read read = new Read();
        try (JsonParser parser = factory.createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new MalformedBodyException("body is empty: send a record object or an array of records", -1);
            }
            readValue(parser, first, read);
            if (parser.nextToken() != null) {
                throw new MalformedBodyException("body has content after the JSON value; send one object or one array"
                        + location(parser), read.size());
            }
        } catch (JsonProcessingException | CharConversionException e) {
            throw malformed(e, body, read.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return validate(read, body, now);
    }

    /**
     * {@code application/x-ndjson}: one record object a line; blank lines are skipped. One parser reads
     * the whole body (a parser per line costs more than the parsing), checking that every object starts
     * on a line of its own and ends on it.
     */
    public ParsedBatch parseNdjson(byte[] body, Instant now) throws MalformedBodyException {
        Read read = new Read();
        int lastLine = 0;
        try (JsonParser parser = factory.createParser(body)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                int line = parser.currentTokenLocation().getLineNr();
                if (line == lastLine) {
                    throw new MalformedBodyException("line " + line + " holds more than one JSON value; send one record a line", read.size());
                }
                if (token != JsonToken.START_OBJECT) {
                    throw new MalformedBodyException("line " + line + " is not a JSON object", read.size());
                }
                readRecord(parser, read);
                lastLine = parser.currentLocation().getLineNr();
                if (lastLine != line) {
                    throw new MalformedBodyException("line " + line + ": a record must be on one line", read.size() - 1);
                }
            }
        } catch (JsonProcessingException | CharConversionException e) {
            throw malformed(e, body, read.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (read.size() == 0) {
            throw new MalformedBodyException("body has no records: send one JSON object a line", -1);
        }
        return validate(read, body, now);
    }

    /**
     * A spool or broker message body: any sequence of record objects and arrays of them, separated by
     * white space. One record per message (AMQP, core) and batches (the HTTP front-end) read alike.
     */
    public ParsedBatch parseSequence(byte[] body, Instant now) throws MalformedBodyException {
        Read read = new Read();
        try (JsonParser parser = factory.createParser(body)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                readValue(parser, token, read);
            }
        } catch (JsonProcessingException | CharConversionException e) {
            throw malformed(e, body, read.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (read.size() == 0) {
            throw new MalformedBodyException("message has no records", -1);
        }
        return validate(read, body, now);
    }

    /** Validates one record's JSON text (a stored dead letter, say). */
    public ParsedBatch parseOne(String json, Instant now) throws MalformedBodyException {
        return parseSequence(json.getBytes(StandardCharsets.UTF_8), now);
    }

    private void readValue(JsonParser parser, JsonToken token, Read read) throws IOException, MalformedBodyException {
        if (token == JsonToken.START_OBJECT) {
            readRecord(parser, read);
        } else if (token == JsonToken.START_ARRAY) {
            JsonToken element;
            while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (element == null) {
                    throw new MalformedBodyException("body ends inside an array", read.size());
                }
                readRecord(parser, read);
            }
        } else {
            throw new MalformedBodyException("body must be a record object or an array of records" + location(parser), read.size());
        }
    }

    /** Reads one value (an object, or anything else that validation will refuse) and notes its bytes. */
    private static void readRecord(JsonParser parser, Read read) throws IOException {
        long start = parser.currentTokenLocation().getByteOffset();
        RawRecord record = RawRecord.read(parser);
        read.add(record, start, parser.currentLocation().getByteOffset());
    }

    private ParsedBatch validate(Read read, byte[] body, Instant now) {
        List<ArchiveRecord> records = new ArrayList<>(read.size());
        List<ParsedBatch.Rejected> rejected = new ArrayList<>();
        int[] validSpans = new int[2 * read.size()];
        int valid = 0;
        for (int i = 0; i < read.size(); i++) {
            RecordValidator.Outcome outcome = validator.validate(read.records.get(i), i, now);
            if (outcome.valid()) {
                records.add(outcome.record());
                validSpans[2 * valid] = read.spans[2 * i];
                validSpans[2 * valid + 1] = read.spans[2 * i + 1];
                valid++;
            } else {
                String json = new String(body, read.spans[2 * i], read.spans[2 * i + 1] - read.spans[2 * i], StandardCharsets.UTF_8);
                rejected.add(new ParsedBatch.Rejected(i, json, outcome.errors()));
            }
        }
        return new ParsedBatch(records, rejected, body, Arrays.copyOf(validSpans, 2 * valid));
    }

    /** The records read so far and their byte offsets [start, end) in the body. */
    private static final class Read {
        final List<RawRecord> records = new ArrayList<>();
        int[] spans = new int[64];

        void add(RawRecord record, long start, long end) {
            if (2 * records.size() + 2 > spans.length) {
                spans = Arrays.copyOf(spans, spans.length * 2);
            }
            spans[2 * records.size()] = (int) start;
            spans[2 * records.size() + 1] = (int) end;
            records.add(record);
        }

        int size() {
            return records.size();
        }
    }

    /** The parser's complaint in our words (its own text names internals and is never shown). */
    private static MalformedBodyException malformed(IOException e, byte[] body, int index) {
        return new MalformedBodyException(JsonErrors.describe(e, body), index);
    }

    private static String location(JsonParser parser) {
        if (parser == null || parser.currentLocation() == null) {
            return "";
        }
        return " (line " + parser.currentLocation().getLineNr() + ", column " + parser.currentLocation().getColumnNr() + ")";
    }
}
