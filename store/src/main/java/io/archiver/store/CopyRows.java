package io.archiver.store;

import io.archiver.core.record.ArchiveRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes records as PostgreSQL {@code COPY ... FROM STDIN} text format, the fastest way to hand rows
 * to the server. Public so that a benchmark can COPY exactly the same bytes into another table and
 * compare. Text format rules: columns separated by tab, rows ended by newline, {@code \N} for NULL,
 * and backslash, tab, newline and carriage return escaped with a backslash. Recipients are a
 * {@code text[]} literal whose elements are always double-quoted with {@code "} and {@code \} escaped
 * inside (so commas, braces, quotes and the word NULL are plain text), and that literal is then
 * escaped again for COPY. The content hash is bytea hex ({@code \\x...} after COPY escaping).
 */
public final class CopyRows {

    /** The columns every COPY of archive rows lists, in this order. */
    public static final String COLUMNS = "record_id, conversation_id, kind, sent_at, sender, recipients, "
            + "content_type, body, external, frontend, received_at, content_hash";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CopyRows() {
    }

    /** {@code COPY <table> (COLUMNS) FROM STDIN} in text format. */
    public static String copySql(String table) {
        return "COPY " + table + " (" + COLUMNS + ") FROM STDIN";
    }

    /** Writes the rows, one line each, UTF-8; the stream is not closed. */
    public static void write(List<Incoming> rows, OutputStream out) throws IOException {
        StringBuilder line = new StringBuilder(1024);
        for (Incoming row : rows) {
            line.setLength(0);
            appendRow(row, line);
            out.write(line.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** One row, ending in a newline. */
    public static String row(Incoming row) {
        StringBuilder line = new StringBuilder(512);
        appendRow(row, line);
        return line.toString();
    }

    static void appendRow(Incoming in, StringBuilder out) {
        ArchiveRecord r = in.record();
        text(r.id(), out).append('\t');
        text(r.conversationId(), out).append('\t');
        text(r.kind().wireName(), out).append('\t');
        out.append(r.sentAt()).append('\t');
        text(r.from(), out).append('\t');
        array(r.to(), out).append('\t');
        text(r.contentType(), out).append('\t');
        if (r.body() == null) {
            out.append("\\N");
        } else {
            text(r.body(), out);
        }
        out.append('\t');
        out.append(r.external() ? 't' : 'f').append('\t');
        text(in.frontend(), out).append('\t');
        out.append(in.receivedAt()).append('\t');
        out.append("\\\\x");
        for (byte b : in.hashUnsafe()) {
            out.append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
        }
        out.append('\n');
    }

    private static StringBuilder text(String value, StringBuilder out) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out;
    }

    /** A text[] literal with every element quoted, escaped once for the array and once for COPY. */
    private static StringBuilder array(List<String> values, StringBuilder out) {
        out.append('{');
        for (int e = 0; e < values.size(); e++) {
            if (e > 0) {
                out.append(',');
            }
            out.append('"');
            String value = values.get(e);
            for (int i = 0, n = value.length(); i < n; i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '\\' -> out.append("\\\\\\\\"); // array: \\ ; COPY doubles each
                    case '"' -> out.append("\\\\\"");    // array: \" ; COPY doubles the backslash
                    case '\t' -> out.append("\\t");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    default -> out.append(c);
                }
            }
            out.append('"');
        }
        return out.append('}');
    }
}
