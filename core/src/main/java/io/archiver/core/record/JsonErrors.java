package io.archiver.core.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.ContentReference;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says what is wrong with a body in our words: where (line and column; the byte for broken UTF-8) and
 * what was expected there. The parser's own message is read only to tell the cases apart, never shown:
 * it names parser internals and, with source inclusion off, a "REDACTED" source.
 */
public final class JsonErrors {

    private static final Pattern FOUND = Pattern.compile("Unexpected character \\('.*?' \\(code (\\d+)\\)\\)");
    private static final Pattern CLOSE = Pattern.compile("Unexpected close marker '(.)': (?:expected '(.)')?");
    private static final Pattern TOKEN = Pattern.compile("(?:Unrecognized|Non-standard) token '([^']*)'");
    private static final Pattern ESCAPE = Pattern.compile("Unrecognized character escape '.' \\(code (\\d+)\\)");
    private static final Pattern CONTROL = Pattern.compile("Illegal unquoted character \\(\\(CTRL-CHAR, code (\\d+)\\)\\)");
    private static final Pattern UTF8 = Pattern.compile("Invalid UTF-8 (start|middle) byte 0x([0-9a-fA-F]{1,2})");
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");
    private static final Pattern BYTE_NUMBER = Pattern.compile("byte #(\\d+)");
    private static final Pattern MAX_ALLOWED = Pattern.compile("maximum allowed \\((\\d+)");
    private static final Pattern WHICH_ENCODING = Pattern.compile("Invalid (UTF-\\d+)");
    private static final String A_VALUE = "a value (a string, number, object, array, true, false or null)";
    private static final int MAX_SHOWN = 40;

    private JsonErrors() {
    }

/** What is wrong with {@code body}, which a Jackson parser (or ObjectMapper) reading it threw {@code e} for. */
public static String describe(IOException e, byte[] body) {
        if (e instanceof CharConversionException) {
            return encoding(e.getMessage());
        }
        if (!(e instanceof JsonProcessingException j)) {
            return "body could not be read as JSON";
        }
        String m = j.getOriginalMessage() == null ? "" : j.getOriginalMessage();
        JsonLocation at = j.getLocation();
        if (at == null && j.getProcessor() instanceof JsonParser p) {
            at = p.currentLocation();
        }
        JsonStreamContext context = j.getProcessor() instanceof JsonParser p ? p.getParsingContext() : null;
        Matcher utf8 = UTF8.matcher(m);
        if (utf8.find()) {
            return utf8(at, utf8.group(1).equals("start"), utf8.group(2).toLowerCase(Locale.ROOT));
        }
        if (m.contains("Invalid UTF-8")) {
            return utf8(at, false, null);
        }
        if (e instanceof StreamConstraintsException) {
            return "body is over the parser's limits" + where(at) + ": " + limit(m);
        }
        Matcher token = TOKEN.matcher(m);
        if (token.find()) {
            // The parser points past the bad word (and the character that ended it); point at its start.
            return "body is not valid JSON" + where(tokenStart(at, body, token.group(1))) + ": expected " + A_VALUE
                    + ", found '" + shorten(token.group(1)) + "'";
        }
        return "body is not valid JSON" + where(at) + ": " + what(j, m, context);
    }

    private static String what(JsonProcessingException e, String m, JsonStreamContext context) {
        if (e instanceof JsonEOFException || m.startsWith("Unexpected end-of-input")) {
            return "unexpected end of input: " + unclosed(m, context);
        }
        Matcher found = FOUND.matcher(m);
        if (found.find()) {
            return unexpected(m, (char) Integer.parseInt(found.group(1)), context);
        }
        Matcher close = CLOSE.matcher(m);
        if (close.find()) {
            String marker = close.group(1);
            if (close.group(2) == null) {
                return "found '" + marker + "' but no " + (marker.equals("}") ? "object" : "array") + " is open";
            }
            String expected = close.group(2);
            return "expected '" + expected + "' to close the " + (expected.equals("}") ? "object" : "array")
                    + opened(context) + ", found '" + marker + "'";
        }
        Matcher escape = ESCAPE.matcher(m);
        if (escape.find()) {
            return "invalid escape '\\" + shown((char) Integer.parseInt(escape.group(1)))
                    + "' in a string: the escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\u followed by four hex digits";
        }
        Matcher control = CONTROL.matcher(m);
        if (control.find()) {
            return "control character " + codePoint(Integer.parseInt(control.group(1))) + " inside a string: it must be escaped";
        }
        Matcher duplicate = DUPLICATE.matcher(m);
        if (duplicate.find()) {
            return "field '" + shorten(duplicate.group(1)) + "' appears twice in one object";
        }
        if (m.startsWith("Invalid numeric value")) {
            return m.contains("Leading zeroes") ? "invalid number: leading zeroes are not allowed" : "invalid number";
        }
        if (m.contains("Numeric value") && m.contains("out of range")) {
            return "number out of range";
        }
        return "unexpected content";
    }

    /** An unexpected character: what the parser wanted at that point, in words. */
    private static String unexpected(String m, char c, JsonStreamContext context) {
        String found = ", found " + quoted(c);
        if (m.contains("was expecting comma to separate Object entries")) {
            return "expected ',' or '}' after a field value" + found;
        }
        if (m.contains("was expecting comma to separate Array entries")) {
            return "expected ',' or ']' after an array element" + found;
        }
        if (m.contains("was expecting double-quote to start field name")) {
            if (c == '}') {
                return "expected a field name after ',' (a trailing comma is not allowed)" + found;
            }
            return "expected a field name in double quotes" + found;
        }
        if (m.contains("was expecting a colon")) {
            return "expected ':' after a field name" + found;
        }
        if (m.contains("hex-digit for character escape")) {
            return "invalid escape in a string: expected four hex digits after \\u" + found;
        }
        if (m.contains("in numeric value")) {
            if (m.contains("Decimal point not followed by a digit")) {
                return "invalid number: expected a digit after the decimal point" + found;
            }
            if (m.contains("Exponent indicator not followed by a digit")) {
                return "invalid number: expected a digit in the exponent" + found;
            }
            if (m.contains("minus sign")) {
                return "invalid number: expected a digit after '-'" + found;
            }
            return "invalid number" + found;
        }
        if (m.contains("expected space separating root-level values")) {
            return "expected white space between two values" + found;
        }
        if (m.contains("expected a value") || m.contains("expected a valid value")) {
            if (c == ']' && context != null && context.inArray() && context.getCurrentIndex() > 0) {
                return "expected " + A_VALUE + " after ',' (a trailing comma is not allowed)" + found;
            }
            return "expected " + A_VALUE + found;
        }
        return "unexpected character" + found.substring(", found".length());
    }

    /** What the end of input left open. */
    private static String unclosed(String m, JsonStreamContext context) {
        if (m.contains("VALUE_STRING") || m.contains("in a String") || m.contains("in a string")) {
            return "a string is not closed";
        }
        if (m.contains("FIELD_NAME") || m.contains("field name")) {
            return "a field name is not closed";
        }
        if (m.contains("Object entries") || context != null && context.inObject()) {
            return "an object" + opened(context) + " is not closed";
        }
        if (m.contains("Array entries") || context != null && context.inArray()) {
            return "an array" + opened(context) + " is not closed";
        }
        if (m.contains("number") || m.contains("numeric")) {
            return "a number is cut off";
        }
        return "the value is not complete";
    }

    private static String opened(JsonStreamContext context) {
        if (context == null || context.inRoot()) {
            return "";
        }
        JsonLocation start = context.startLocation(ContentReference.redacted());
        if (start == null || start.getLineNr() < 1) {
            return "";
        }
        return " opened at line " + start.getLineNr() + ", column " + start.getColumnNr();
    }

    /** Broken UTF-8: the parser's offset, just past the byte at fault, is that byte's number counting from 1. */
    private static String utf8(JsonLocation at, boolean start, String hex) {
        String where = at == null || at.getByteOffset() < 0 ? "" : " at byte " + at.getByteOffset() + " (line " + at.getLineNr() + ")";
        String why = hex == null ? "" : start ? ": byte 0x" + hex + " cannot start a character"
                : ": byte 0x" + hex + " cannot continue a multi-byte character";
        return "body is not valid UTF-8: invalid UTF-8" + where + why;
    }

    private static String encoding(String message) {
        String m = message == null ? "" : message;
        Matcher which = WHICH_ENCODING.matcher(m);
        Matcher at = BYTE_NUMBER.matcher(m);
        return "body is not valid text: invalid " + (which.find() ? which.group(1) : "character encoding")
                + (at.find() ? " at byte " + at.group(1) : "") + "; send UTF-8";
    }

    private static String limit(String m) {
        if (m.contains("nesting depth")) {
            Matcher max = MAX_ALLOWED.matcher(m);
            return max.find() ? "values are nested more than " + max.group(1) + " deep" : "values are nested too deep";
        }
        if (m.contains("Number value length") || m.contains("Number length")) {
            return "a number has too many digits";
        }
        if (m.contains("String value length") || m.contains("String length")) {
            return "a string is too long";
        }
        if (m.contains("Name length") || m.contains("name length")) {
            return "a field name is too long";
        }
        return "a value is too large";
    }

    private static JsonLocation tokenStart(JsonLocation at, byte[] body, String token) {
        if (at == null || at.getByteOffset() < 0 || at.getByteOffset() > body.length) {
            return at;
        }
        byte[] word = token.getBytes(StandardCharsets.UTF_8);
        int end = (int) at.getByteOffset();
        for (int back : new int[] {1, 0}) {
            int from = end - back - word.length;
            if (from >= 0 && Arrays.equals(body, from, from + word.length, word, 0, word.length)) {
                int column = Math.max(1, at.getColumnNr() - back - word.length);
                return new JsonLocation(ContentReference.redacted(), from, at.getLineNr(), column);
            }
        }
        return at;
    }

    private static String where(JsonLocation at) {
        if (at == null || at.getLineNr() < 1) {
            return "";
        }
        return ": line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    private static String quoted(char c) {
        if (Character.isISOControl(c) || Character.isWhitespace(c) && c != ' ') {
            return codePoint(c);
        }
        return c == '\'' ? "\"'\"" : "'" + c + "'";
    }

    private static String shown(char c) {
        return Character.isISOControl(c) ? codePoint(c) : String.valueOf(c);
    }

    private static String codePoint(int c) {
        return String.format(Locale.ROOT, "U+%04X", c);
    }

    private static String shorten(String s) {
        return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
    }
}
