package io.archiver.app.support;

import io.archiver.lab.FreePorts;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/** Config and token files, and free ports, for tests. */
public final class TestFiles {

    public static final String INGEST_TOKEN = "test-ingest-token";
    public static final String AUDITOR_TOKEN = "test-auditor-token";
    public static final String ADMIN_TOKEN = "test-admin-token";

    private TestFiles() {
    }

    public static Path tokens(Path dir) throws IOException {
        Path file = dir.resolve("tokens");
        Files.writeString(file, INGEST_TOKEN + " ingest test-ingest\n" + AUDITOR_TOKEN + " auditor\n" + ADMIN_TOKEN + " admin\n");
        return file;
    }

    public static Path properties(Path file, Map<String, String> values) throws IOException {
        Properties properties = new Properties();
        values.forEach(properties::setProperty);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, null);
        }
        return file;
    }

    public static int freePort() {
        return FreePorts.any();
    }
}
