package io.archiver.core.record;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One record as read from the JSON stream, before validation: the nine known fields with their JSON
 * types, and the names of unknown ones. Read with Jackson's streaming parser rather than as a
 * {@code JsonNode} tree: building trees (an ObjectNode and a LinkedHashMap per record) was the largest
 * single cost on both the front-end and the archive node (JFR profile of {@code ./archiver bench}).
 */
final class RawRecord {

    /** A JSON value: its token, its text for strings and numbers, its elements for the array {@code to}. */
    record Value(JsonToken token, String text, List<Value> elements) {

        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }

        boolean isBoolean() {
            return token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
        }

        boolean isArray() {
            return token == JsonToken.START_ARRAY;
        }
    }

    private boolean object = true;
    private final Value[] known = new Value[FIELDS.size()];
    private final List<String> unknown = new ArrayList<>(0);

    static final List<String> FIELDS =
            List.of("id", "conversationId", "kind", "sentAt", "from", "to", "contentType", "body", "external");

    /** Reads the value at the parser's current token (normally START_OBJECT) and leaves the parser on its end. */
    static RawRecord read(JsonParser parser) throws IOException {
        RawRecord raw = new RawRecord();
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            raw.object = false;
            parser.skipChildren();
            return raw;
        }
        String name;
        while ((name = parser.nextFieldName()) != null) {
            int field = FIELDS.indexOf(name);
            JsonToken token = parser.nextToken();
            if (field < 0) {
                raw.unknown.add(name);
                parser.skipChildren();
            } else {
                raw.known[field] = value(parser, token, "to".equals(name));
            }
        }
        return raw;
    }

    private static Value value(JsonParser parser, JsonToken token, boolean arrayOfStrings) throws IOException {
        switch (token) {
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT:
                return new Value(token, parser.getText(), null);
            case START_ARRAY:
                if (arrayOfStrings) {
                    List<Value> elements = new ArrayList<>();
                    JsonToken element;
                    while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                        elements.add(value(parser, element, false));
                    }
                    return new Value(token, null, elements);
                }
                parser.skipChildren();
                return new Value(token, null, null);
            case START_OBJECT:
                parser.skipChildren();
                return new Value(token, null, null);
            default:
                return new Value(token, null, null);
        }
    }

    boolean isObject() {
        return object;
    }

    /** The value of a known field, or null when the record does not have it. */
    Value get(String field) {
        return known[FIELDS.indexOf(field)];
    }

    List<String> unknownFields() {
        return unknown;
    }
}
