package io.archiver.core.record;

import java.util.List;

/**
 * The records read from one body, in order: the valid ones, and the refused ones with their raw JSON
 * (so that a consumer can dead-letter exactly what it received).
 */
public record ParsedBatch(List<ArchiveRecord> records, List<Rejected> rejected, byte[] source, int[] spans) {

    /** A record that failed validation: its position, its JSON text, and every reason. */
    public record Rejected(int index, String json, List<FieldError> errors) {
        public String reason() {
            return String.join("; ", errors.stream().map(FieldError::toString).toList());
        }
    }

    public ParsedBatch {
        records = List.copyOf(records);
        rejected = List.copyOf(rejected);
    }
    /** Whether {@link #writeSource} can copy each valid record's JSON exactly as it was received. */
    public boolean hasSource() {
        return source != null;
    }

    /** The received JSON text of valid record {@code i} (its index in {@link #records()}). */
    public void writeSource(int i, java.io.ByteArrayOutputStream out) {
        out.write(source, spans[2 * i], spans[2 * i + 1] - spans[2 * i]);
    }

    /** Length in bytes of the received JSON text of valid record {@code i}. */
    public int sourceLength(int i) {
        return spans[2 * i + 1] - spans[2 * i];
    }

    public boolean allValid() {
        return rejected.isEmpty();
    }

    public int size() {
        return records.size() + rejected.size();
    }

    public List<FieldError> errors() {
        return rejected.stream().flatMap(r -> r.errors().stream()).toList();
    }
}
