package io.archiver.core.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecordParserTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private final RecordParser parser = new RecordParser();

    static String record(String extra) {
        return "{\"id\":\"r-1\",\"conversationId\":\"conv-1\",\"sentAt\":\"2026-11-24T10:15:30.123Z\","
                + "\"from\":\"sip:alice@Contoso.COM\",\"to\":[\"sip:bob@contoso.com\"],\"body\":\"hello\"" + extra + "}";
    }

    private ParsedBatch json(String text) throws MalformedBodyException {
        return parser.parseJson(text.getBytes(StandardCharsets.UTF_8), NOW);
    }

    private List<FieldError> errorsOf(String text) throws MalformedBodyException {
        ParsedBatch batch = json(text);
        assertThat(batch.records()).isEmpty();
        return batch.errors();
    }

    @Test
    void validRecordIsNormalisedWithDefaults() throws Exception {
        ParsedBatch batch = json(record(""));
        assertThat(batch.allValid()).isTrue();
        ArchiveRecord r = batch.records().get(0);
        assertThat(r.kind()).isEqualTo(Kind.MESSAGE);
        assertThat(r.contentType()).isEqualTo("text/plain");
        assertThat(r.from()).isEqualTo("sip:alice@contoso.com");
        assertThat(r.external()).isFalse();
        assertThat(r.sentAt()).isEqualTo(Instant.parse("2026-11-24T10:15:30.123Z"));
    }

    @Test
    void offsetsAreConvertedAndNanosTruncatedToMicros() throws Exception {
        ArchiveRecord r = json(record("").replace("2026-11-24T10:15:30.123Z", "2026-11-24T11:15:30.123456789+01:00")).records().get(0);
        assertThat(r.sentAt()).isEqualTo(Instant.parse("2026-11-24T10:15:30.123456Z"));
    }

    @Test
    void arrayAndNdjsonGiveIndexedErrors() throws Exception {
        ParsedBatch batch = json("[" + record("") + "," + record(",\"kind\":\"shout\"") + "]");
        assertThat(batch.records()).hasSize(1);
        assertThat(batch.errors()).containsExactly(new FieldError(1, "kind",
                "must be one of message, conference-message, session-start, session-end, join, leave"));

        byte[] ndjson = (record("") + "\n\n" + record(",\"external\":\"yes\"") + "\n").getBytes(StandardCharsets.UTF_8);
        ParsedBatch lines = parser.parseNdjson(ndjson, NOW);
        assertThat(lines.size()).isEqualTo(2);
        assertThat(lines.errors()).extracting(FieldError::index, FieldError::field).containsExactly(org.assertj.core.groups.Tuple.tuple(1, "external"));
    }

    @Test
    void unknownFieldIsRefused() throws Exception {
        assertThat(errorsOf(record(",\"subject\":\"x\""))).extracting(FieldError::field).containsExactly("subject");
    }

    @Test
    void requiredFieldsAreNamed() throws Exception {
        assertThat(errorsOf("{\"kind\":\"message\"}")).extracting(FieldError::field)
                .containsExactlyInAnyOrder("id", "conversationId", "sentAt", "from", "to", "body");
    }

    @Test
    void idRules() throws Exception {
        assertThat(errorsOf(record("").replace("\"r-1\"", "\"has space\""))).extracting(FieldError::field).containsExactly("id");
        assertThat(errorsOf(record("").replace("\"r-1\"", "\"" + "a".repeat(129) + "\""))).extracting(FieldError::field).containsExactly("id");
        assertThat(json(record("").replace("\"r-1\"", "\"A.b_c:d@e-" + "f".repeat(118) + "\"")).allValid()).isTrue();
    }

    @Test
    void conversationIdRules() throws Exception {
        assertThat(errorsOf(record("").replace("\"conv-1\"", "\"a\\u0007b\""))).extracting(FieldError::reason)
                .containsExactly("must not contain control characters");
        assertThat(errorsOf(record("").replace("\"conv-1\"", "\"" + "c".repeat(257) + "\""))).extracting(FieldError::field)
                .containsExactly("conversationId");
        assertThat(json(record("").replace("\"conv-1\"", "\"sip:conf@contoso.com;gruu;opaque=app:conf:focus:id:ABC\"")).allValid()).isTrue();
    }

    @Test
    void sentAtRules() throws Exception {
        assertThat(errorsOf(record("").replace("2026-11-24T10:15:30.123Z", "2026-11-24 10:15:30"))).extracting(FieldError::field).containsExactly("sentAt");
        assertThat(errorsOf(record("").replace("2026-11-24T10:15:30.123Z", "2026-11-24T10:15:30"))).extracting(FieldError::field).containsExactly("sentAt");
        assertThat(errorsOf(record("").replace("2026-11-24T10:15:30.123Z", "2026-02-30T10:15:30Z"))).extracting(FieldError::field).containsExactly("sentAt");
        assertThat(errorsOf(record("").replace("2026-11-24T10:15:30.123Z", "2026-11-24T12:05:01Z"))).extracting(FieldError::reason)
                .containsExactly("is more than 5 minutes in the future");
        assertThat(json(record("").replace("2026-11-24T10:15:30.123Z", "2026-11-24T12:05:00Z")).allValid()).isTrue();
    }

    @Test
    void sipUriRulesAndDomainFolding() throws Exception {
        assertThat(errorsOf(record("").replace("sip:alice@Contoso.COM", "alice@contoso.com"))).extracting(FieldError::field).containsExactly("from");
        assertThat(errorsOf(record("").replace("[\"sip:bob@contoso.com\"]", "[\"sip:bob@contoso.com\",\"sip:@x\"]")))
                .extracting(FieldError::field).containsExactly("to[1]");
        ArchiveRecord r = json(record("").replace("[\"sip:bob@contoso.com\"]", "[\"SIP:Bob@FABRIKAM.com\"]")).records().get(0);
        assertThat(r.to()).containsExactly("sip:Bob@fabrikam.com");
    }

    @Test
    void recipientsRules() throws Exception {
        assertThat(errorsOf(record("").replace("[\"sip:bob@contoso.com\"]", "[]"))).extracting(FieldError::field).containsExactly("to");
        assertThat(errorsOf(record("").replace("[\"sip:bob@contoso.com\"]", "\"sip:bob@contoso.com\""))).extracting(FieldError::field).containsExactly("to");
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 1001; i++) {
            many.append(i == 0 ? "" : ",").append("\"sip:u").append(i).append("@contoso.com\"");
        }
        assertThat(errorsOf(record("").replace("[\"sip:bob@contoso.com\"]", many + "]"))).extracting(FieldError::field).containsExactly("to");
        ParsedBatch session = json("{\"id\":\"s1\",\"conversationId\":\"c\",\"kind\":\"session-start\",\"sentAt\":\"2026-11-24T10:00:00Z\","
                + "\"from\":\"sip:a@b.com\",\"to\":[]}");
        assertThat(session.allValid()).isTrue();
        assertThat(session.records().get(0).body()).isNull();
    }

    @Test
    void bodyRules() throws Exception {
        assertThat(errorsOf(record("").replace("\"hello\"", "\"a\\u0000b\""))).extracting(FieldError::reason).containsExactly("must not contain NUL (\\u0000)");
        assertThat(errorsOf(record("").replace("\"hello\"", "\"" + "é".repeat(32769) + "\""))).extracting(FieldError::field).containsExactly("body");
        assertThat(json(record("").replace("\"hello\"", "\"" + "x".repeat(65536) + "\"")).allValid()).isTrue();
        assertThat(errorsOf(record("").replace("\"hello\"", "\"\\ud800\""))).extracting(FieldError::field).containsExactly("body");
        assertThat(errorsOf(record("").replace("\"hello\"", "null"))).extracting(FieldError::reason).containsExactly("is required");
    }

    @Test
    void typesAreStrict() throws Exception {
        assertThat(errorsOf(record(",\"external\":1"))).extracting(FieldError::field).containsExactly("external");
        assertThat(errorsOf(record(",\"contentType\":\"application/pdf\""))).extracting(FieldError::field).containsExactly("contentType");
        assertThat(errorsOf(record("").replace("\"r-1\"", "42"))).extracting(FieldError::reason).containsExactly("must be a string");
        assertThat(json(record(",\"contentType\":\"text/html\",\"external\":true,\"kind\":\"conference-message\"")).allValid()).isTrue();
    }

    @Test
    void malformedBodies() {
        assertThatThrownBy(() -> json("{\"id\":")).isInstanceOf(MalformedBodyException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> json("42")).isInstanceOf(MalformedBodyException.class).hasMessageContaining("record object");
        assertThatThrownBy(() -> json(record("") + record(""))).isInstanceOf(MalformedBodyException.class).hasMessageContaining("after the JSON value");
        assertThatThrownBy(() -> json(record(",\"id\":\"again\""))).isInstanceOf(MalformedBodyException.class).hasMessageContaining("field 'id' appears twice in one object");
        byte[] badUtf8 = record("").replace("hello", "h\u00e9llo").getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> parser.parseJson(badUtf8, NOW)).isInstanceOf(MalformedBodyException.class).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> parser.parseNdjson((record("") + "\n[1]\n").getBytes(StandardCharsets.UTF_8), NOW))
                .isInstanceOf(MalformedBodyException.class).hasMessage("line 2 is not a JSON object");
    }

    @Test
    void keepsTheReceivedBytesOfEachValidRecord() throws Exception {
        String first = record("");
        String second = record(",\"kind\":\"conference-message\"").replace("r-1", "r-2");
        String bad = record(",\"kind\":\"shout\"");
        ParsedBatch array = json("[ " + first + " ,\n" + bad + "," + second + "]");
        assertThat(array.hasSource()).isTrue();
        assertThat(sources(array)).containsExactly(first, second);
        ParsedBatch lines = parser.parseNdjson((first + "\r\n\n" + second + "\n").getBytes(StandardCharsets.UTF_8), NOW);
        assertThat(sources(lines)).containsExactly(first, second);
        String unicode = record("").replace("hello", "שלום 😀 \\u00e9");
        assertThat(sources(json(unicode))).containsExactly(unicode);
        assertThat(sources(parser.parseSequence((first + "\n" + second).getBytes(StandardCharsets.UTF_8), NOW))).containsExactly(first, second);
    }

    private static List<String> sources(ParsedBatch batch) {
        List<String> texts = new java.util.ArrayList<>();
        for (int i = 0; i < batch.records().size(); i++) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            batch.writeSource(i, out);
            texts.add(out.toString(StandardCharsets.UTF_8));
        }
        return texts;
    }

    @Test
    void ndjsonWantsOneRecordALine() {
        byte[] twoOnOneLine = (record("") + " " + record("") + "\n").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parser.parseNdjson(twoOnOneLine, NOW)).hasMessage("line 1 holds more than one JSON value; send one record a line");
        byte[] split = (record("") + "\n" + record("").replace(",\"from\"", ",\n\"from\"")).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parser.parseNdjson(split, NOW)).hasMessage("line 2: a record must be on one line");
        byte[] broken = (record("") + "\n\n{\"id\": nope}\n").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parser.parseNdjson(broken, NOW)).hasMessageStartingWith("body is not valid JSON: line 3, column 8: expected a value");
        assertThatThrownBy(() -> parser.parseNdjson("\n \n".getBytes(StandardCharsets.UTF_8), NOW)).hasMessageContaining("no records");
    }

    @Test
    void sipUriEdgeCases() {
        assertThat(SipUri.normalize("sip:a@b")).contains("sip:a@b");
        assertThat(SipUri.normalize("Sip:A.B@X-Y.Example.COM")).contains("sip:A.B@x-y.example.com");
        assertThat(SipUri.normalize("sip:a@-bad.com")).isEmpty();
        assertThat(SipUri.normalize("sip:a@bad-.com")).isEmpty();
        assertThat(SipUri.normalize("sip:a@bad..com")).isEmpty();
        assertThat(SipUri.normalize("sip:a b@x.com")).isEmpty();
        assertThat(SipUri.normalize("sip:a@" + "x".repeat(64) + ".com")).isEmpty();
        assertThat(SipUri.normalize("tel:+123@x.com")).isEmpty();
    }

    @Test
    void sequenceReadsSingleAndBatchedMessagesAndRoundTripsNdjson() throws Exception {
        ParsedBatch original = json("[" + record("") + "," + record(",\"kind\":\"conference-message\"").replace("r-1", "r-2") + "]");
        byte[] ndjson = RecordJson.toNdjson(original.records());
        ParsedBatch back = parser.parseSequence(ndjson, NOW);
        assertThat(back.records()).isEqualTo(original.records());
        assertThat(parser.parseSequence(("  " + record("") + " [" + record("") + "]").getBytes(StandardCharsets.UTF_8), NOW).size()).isEqualTo(2);
    }

    @Test
    void contentHashDependsOnContentOnly() throws Exception {
        ArchiveRecord a = json(record("")).records().get(0);
        ArchiveRecord same = json(record("").replace("Contoso.COM", "contoso.com")).records().get(0);
        ArchiveRecord other = json(record("").replace("hello", "hello!")).records().get(0);
        assertThat(a.contentHash()).hasSize(32).isEqualTo(same.contentHash()).isNotEqualTo(other.contentHash());
    }

    // ---- parse errors in our words ----

    static Stream<Arguments> malformedJson() {
        String value = "a value (a string, number, object, array, true, false or null)";
        return Stream.of(
                Arguments.of("{\"id\": \"a\" x}", "line 1, column 12: expected ',' or '}' after a field value, found 'x'"),
                Arguments.of("{\"id\": ", "line 1, column 8: unexpected end of input: an object opened at line 1, column 1 is not closed"),
                Arguments.of("[{\"id\":\"a\"},", "line 1, column 13: unexpected end of input: an array opened at line 1, column 1 is not closed"),
                Arguments.of("{\"id\":\"abc", "line 1, column 11: unexpected end of input: a string is not closed"),
                Arguments.of("{\"id\":\"a\",}", "line 1, column 11: expected a field name after ',' (a trailing comma is not allowed), found '}'"),
                Arguments.of("[{\"id\":\"a\"},]", "line 1, column 13: expected " + value + " after ',' (a trailing comma is not allowed), found ']'"),
                Arguments.of("{id: 1}", "line 1, column 2: expected a field name in double quotes, found 'i'"),
                Arguments.of("{\"id\" 1}", "line 1, column 7: expected ':' after a field name, found '1'"),
                Arguments.of("{\"id\":\"a\\qb\"}", "line 1, column 10: invalid escape '\\q' in a string: the escapes are "
                        + "\\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u followed by four hex digits"),
                Arguments.of("{\"id\":\"\\u12x4\"}", "line 1, column 12: invalid escape in a string: expected four hex digits after \\u, found 'x'"),
                Arguments.of("{\"id\":\"a\nb\"}", "line 1, column 9: control character U+000A inside a string: it must be escaped"),
                Arguments.of("{\"id\":tru}", "line 1, column 7: expected " + value + ", found 'tru'"),
                Arguments.of("{\"id\":'a'}", "line 1, column 7: expected " + value + ", found \"'\""),
                Arguments.of("{\"id\":\"a\",\"n\":nope", "line 1, column 15: expected " + value + ", found 'nope'"),
                Arguments.of("{\"n\":01}", "line 1, column 7: invalid number: leading zeroes are not allowed"),
                Arguments.of("{\"n\":1.e5}", "line 1, column 8: invalid number: expected a digit after the decimal point, found 'e'"),
                Arguments.of("{\"to\":[\"a\"}", "line 1, column 11: expected ']' to close the array opened at line 1, column 7, found '}'"),
                Arguments.of("\n\n  {\"id\":\"a\"]", "line 3, column 12: expected '}' to close the object opened at line 3, column 3, found ']'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedJson")
    void malformedJsonIsDescribedInOurWords(String body, String where) {
        assertThatThrownBy(() -> json(body)).isInstanceOf(MalformedBodyException.class).hasMessage("body is not valid JSON: " + where)
                .message().doesNotContain("REDACTED", "Source:", "StreamReadFeature", "VALUE_STRING", "code ");
    }

    @Test
    void brokenUtf8NamesTheByte() {
        byte[] body = "{\"id\":\"MARKER\"}".getBytes(StandardCharsets.UTF_8);
        byte[] middle = body.clone();
        middle[7] = (byte) 0xC3;
        middle[8] = (byte) 0x28;
        assertThatThrownBy(() -> parser.parseJson(middle, NOW))
                .hasMessage("body is not valid UTF-8: invalid UTF-8 at byte 9 (line 1): byte 0x28 cannot continue a multi-byte character");
        byte[] start = body.clone();
        start[7] = (byte) 0xFF;
        assertThatThrownBy(() -> parser.parseJson(start, NOW))
                .hasMessage("body is not valid UTF-8: invalid UTF-8 at byte 8 (line 1): byte 0xff cannot start a character");
    }

    @Test
    void ndjsonAndSpoolMessagesSayTheSame() {
        byte[] lines = (record("") + "\n" + "{\"id\" \"x\"}\n").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parser.parseNdjson(lines, NOW))
                .hasMessage("body is not valid JSON: line 2, column 7: expected ':' after a field name, found '\"'");
        assertThatThrownBy(() -> parser.parseSequence("[{\"id\":1,}".getBytes(StandardCharsets.UTF_8), NOW))
                .hasMessage("body is not valid JSON: line 1, column 10: expected a field name after ',' (a trailing comma is not allowed), found '}'");
    }

    @Test
    void parserLimitsAndOtherEncodingsAreRefusedInOurWordsToo() {
        assertThatThrownBy(() -> json("[" + "[".repeat(1500)))
                .isInstanceOf(MalformedBodyException.class).hasMessage("body is over the parser's limits: values are nested more than 1000 deep");
        byte[] utf32 = {0, 0, 0, '{', 0, 0, 0, '"', 0, 0x11, 0, 0, 0, 0, 0, '"'};
        assertThatThrownBy(() -> parser.parseJson(utf32, NOW))
                .isInstanceOf(MalformedBodyException.class).hasMessage("body is not valid text: invalid UTF-32 at byte 11; send UTF-8");
    }
}
