package io.archiver.compliance.export;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What an export writes: one JSON record a line, one RFC 4180 CSV file, or one {@code .eml} per conversation. */
public enum ExportFormat {
    JSONL("jsonl"),
    CSV("csv"),
    EML("eml");

    private final String wireName;

    ExportFormat(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<ExportFormat> fromWire(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String lower = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.wireName.equals(lower)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
