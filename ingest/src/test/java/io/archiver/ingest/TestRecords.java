package io.archiver.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** Valid archive records as JSON, to send as they are or to break one field at a time. */
final class TestRecords {

    static final ObjectMapper JSON = new ObjectMapper();

    private TestRecords() {
    }

    static String newId() {
        return "msg-" + UUID.randomUUID();
    }

    static ObjectNode record(String id) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("conversationId", "conv-" + id);
        node.put("kind", "message");
        node.put("sentAt", Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MILLIS).toString());
        node.put("from", "sip:alice@Example.COM");
        node.putArray("to").add("sip:bob@example.com");
        node.put("contentType", "text/plain");
        node.put("body", "hello from " + id);
        node.put("external", false);
        return node;
    }

    static ObjectNode record() {
        return record(newId());
    }

    static ObjectNode withBody(String id, int bodyChars) {
        return record(id).put("body", "x".repeat(bodyChars));
    }

    static String array(List<ObjectNode> records) {
        ArrayNode array = JSON.createArrayNode();
        records.forEach(array::add);
        return array.toString();
    }

    static String ndjson(List<ObjectNode> records) {
        return records.stream().map(ObjectNode::toString).collect(Collectors.joining("\n", "", "\n"));
    }

    static List<ObjectNode> many(int count, int bodyChars) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> withBody(newId(), bodyChars)).toList();
    }
}
