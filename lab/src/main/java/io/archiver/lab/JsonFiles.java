package io.archiver.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The lab's state files (lab.json, ports.json, the database cluster's cluster.json, record.json) are
 * read by people and scripts while the lab runs, so each is written aside and renamed over the old one:
 * a reader sees the whole old file or the whole new one, never half of either.
 */
final class JsonFiles {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonFiles() {
    }

    /** {@code value} as indented JSON in {@code target}, through {@code target.tmp} and an atomic rename. */
    static void write(Path target, Object value) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        JSON.writeValue(temporary.toFile(), value);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
