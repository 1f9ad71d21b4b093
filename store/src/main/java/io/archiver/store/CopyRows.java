package io.archiver.store;

import io.archiver.core.record.ArchiveRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Encodes records as PostgreSQL {@code COPY ... FROM STDIN} text format, the fastest way to hand rows
 * to the server. Public so that a benchmark can COPY exactly the same bytes into another table and
 * compare. Text format rules: columns separated by tab, rows ended by newline, {@code \N} for NULL,
 * and backslash, tab, newline and carriage return escaped with a backslash. Recipients are a
 * {@code text[]} literal whose elements are always double-quoted with {@code "} and {@code \} escaped
 * inside (so commas, braces, quotes and the word NULL are plain text), and that literal is then
 * escaped again for COPY. The content hash is bytea hex ({@code \\x...} after COPY escaping).
 *
 * <p>Rows are encoded straight to UTF-8 bytes with the escapes applied in the same pass: the writer
 * threads spent a sixth of their time here when it went through a StringBuilder and
 * {@code String.getBytes} (JFR profile of {@code ./archiver bench}).
 */
public final class CopyRows {

    /** The columns every COPY of archive rows lists, in this order. */
    public static final String COLUMNS = ArchiveTable.WRITTEN_COLUMNS;

    /** The columns of {@code archive.message_ids}, written alongside every archived row. */
    public static final String ID_COLUMNS = ArchiveTable.ID_COLUMNS;

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Bytes gathered before they go to the stream: large enough to keep COPY's messages few. */
    private static final int FLUSH_BYTES = 64 * 1024;

    private CopyRows() {
    }

    /** {@code COPY <table> (COLUMNS) FROM STDIN} in text format. */
    public static String copySql(String table) {
        return "COPY " + table + " (" + COLUMNS + ") FROM STDIN";
    }

    /** Writes the rows, one line each, UTF-8; the stream is not closed. */
    public static void write(List<Incoming> rows, OutputStream out) throws IOException {
        RowBuffer buffer = new RowBuffer(FLUSH_BYTES + 4096);
        for (Incoming row : rows) {
            appendRow(row, buffer);
            if (buffer.size() >= FLUSH_BYTES) {
                buffer.writeTo(out);
            }
        }
        buffer.writeTo(out);
    }

    /** {@code COPY <table> (ID_COLUMNS) FROM STDIN} in text format. */
    public static String copyIdsSql(String table) {
        return "COPY " + table + " (" + ID_COLUMNS + ") FROM STDIN";
    }

    /** Writes the id rows ({@link #ID_COLUMNS}) of the records, one line each; the stream is not closed. */
    public static void writeIds(List<Incoming> rows, OutputStream out) throws IOException {
        RowBuffer buffer = new RowBuffer(FLUSH_BYTES + 4096);
        for (Incoming in : rows) {
            buffer.text(in.record().id()).tab();
            buffer.timestamp(in.record().sentAt()).tab();
            buffer.ascii("\\\\x");
            buffer.hex(in.hashUnsafe());
            buffer.newline();
            if (buffer.size() >= FLUSH_BYTES) {
                buffer.writeTo(out);
            }
        }
        buffer.writeTo(out);
    }

    /** One row, ending in a newline. */
    public static String row(Incoming row) {
        RowBuffer buffer = new RowBuffer(1024);
        appendRow(row, buffer);
        return buffer.toUtf8String();
    }

    static void appendRow(Incoming in, RowBuffer out) {
        ArchiveRecord r = in.record();
        out.text(r.id()).tab();
        out.text(r.conversationId()).tab();
        out.ascii(r.kind().wireName()).tab();
        out.timestamp(r.sentAt()).tab();
        out.text(r.from()).tab();
        out.array(r.to()).tab();
        out.text(r.contentType()).tab();
        if (r.body() == null) {
            out.ascii("\\N");
        } else {
            out.text(r.body());
        }
        out.tab();
        out.ascii(r.external() ? "t" : "f").tab();
        out.text(in.frontend()).tab();
        out.timestamp(in.receivedAt()).tab();
        out.ascii("\\\\x");
        out.hex(in.hashUnsafe());
        out.newline();
    }

    /** A growable byte array that knows COPY text escaping and UTF-8. */
    static final class RowBuffer {
        private byte[] bytes;
        private int size;

        RowBuffer(int capacity) {
            bytes = new byte[capacity];
        }

        int size() {
            return size;
        }

        void writeTo(OutputStream out) throws IOException {
            out.write(bytes, 0, size);
            size = 0;
        }

        String toUtf8String() {
            return new String(bytes, 0, size, StandardCharsets.UTF_8);
        }

        RowBuffer tab() {
            return put((byte) '\t');
        }

        RowBuffer newline() {
            return put((byte) '\n');
        }

        /** Text known to be ASCII with nothing to escape (kinds, timestamps, literals). */
        RowBuffer ascii(String value) {
            ensure(value.length());
            for (int i = 0, n = value.length(); i < n; i++) {
                bytes[size++] = (byte) value.charAt(i);
            }
            return this;
        }

        /** A text column: backslash, tab, newline and CR escaped for COPY, the rest as UTF-8. */
        RowBuffer text(String value) {
            ensure(value.length() * 3);
            for (int i = 0, n = value.length(); i < n; i++) {
                char c = value.charAt(i);
                if (c < 0x80) {
                    switch (c) {
                        case '\\' -> escape((byte) '\\');
                        case '\t' -> escape((byte) 't');
                        case '\n' -> escape((byte) 'n');
                        case '\r' -> escape((byte) 'r');
                        default -> bytes[size++] = (byte) c;
                    }
                } else {
                    i = utf8(value, i, c);
                }
            }
            return this;
        }

        /** A text[] literal with every element quoted, escaped once for the array and once for COPY. */
        RowBuffer array(List<String> values) {
            put((byte) '{');
            for (int e = 0; e < values.size(); e++) {
                if (e > 0) {
                    put((byte) ',');
                }
                put((byte) '"');
                String value = values.get(e);
                ensure(value.length() * 4 + 2);
                for (int i = 0, n = value.length(); i < n; i++) {
                    char c = value.charAt(i);
                    if (c < 0x80) {
                        switch (c) {
                            case '\\' -> { // array: \\ ; COPY doubles each
                                escape((byte) '\\');
                                escape((byte) '\\');
                            }
                            case '"' -> { // array: \" ; COPY doubles the backslash
                                escape((byte) '\\');
                                bytes[size++] = '"';
                            }
                            case '\t' -> escape((byte) 't');
                            case '\n' -> escape((byte) 'n');
                            case '\r' -> escape((byte) 'r');
                            default -> bytes[size++] = (byte) c;
                        }
                    } else {
                        i = utf8(value, i, c);
                    }
                }
                put((byte) '"');
            }
            return put((byte) '}');
        }

        /**
         * {@code YYYY-MM-DDTHH:MM:SS.ffffffZ}, by hand: {@code Instant.toString()} twice a row was a tenth
         * of the writer's time. Years outside 0000-9999 fall back to it (PostgreSQL reads both).
         */
        RowBuffer timestamp(Instant instant) {
            long seconds = instant.getEpochSecond();
            LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
            if (date.getYear() < 0 || date.getYear() > 9999) {
                return ascii(instant.toString());
            }
            int secondOfDay = (int) Math.floorMod(seconds, 86_400);
            ensure(27);
            digits(date.getYear(), 4).put((byte) '-');
            digits(date.getMonthValue(), 2).put((byte) '-');
            digits(date.getDayOfMonth(), 2).put((byte) 'T');
            digits(secondOfDay / 3600, 2).put((byte) ':');
            digits(secondOfDay / 60 % 60, 2).put((byte) ':');
            digits(secondOfDay % 60, 2).put((byte) '.');
            return digits(instant.getNano() / 1000, 6).put((byte) 'Z');
        }

        private RowBuffer digits(int value, int width) {
            ensure(width);
            for (int i = width - 1; i >= 0; i--) {
                bytes[size + i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            size += width;
            return this;
        }

        RowBuffer hex(byte[] value) {
            ensure(value.length * 2);
            for (byte b : value) {
                bytes[size++] = HEX[(b >> 4) & 0xF];
                bytes[size++] = HEX[b & 0xF];
            }
            return this;
        }

        private void escape(byte b) {
            bytes[size++] = '\\';
            bytes[size++] = b;
        }

        /** Encodes the non-ASCII char at {@code i} (a surrogate pair takes two); returns the last index used. */
        private int utf8(String value, int i, char c) {
            if (c < 0x800) {
                bytes[size++] = (byte) (0xC0 | (c >> 6));
                bytes[size++] = (byte) (0x80 | (c & 0x3F));
                return i;
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, value.charAt(i + 1));
                bytes[size++] = (byte) (0xF0 | (cp >> 18));
                bytes[size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                bytes[size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                bytes[size++] = (byte) (0x80 | (cp & 0x3F));
                return i + 1;
            }
            if (Character.isSurrogate(c)) {
                bytes[size++] = '?'; // unpaired: the validator refuses these; never write invalid UTF-8
                return i;
            }
            bytes[size++] = (byte) (0xE0 | (c >> 12));
            bytes[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            bytes[size++] = (byte) (0x80 | (c & 0x3F));
            return i;
        }

        private RowBuffer put(byte b) {
            ensure(1);
            bytes[size++] = b;
            return this;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }
}
