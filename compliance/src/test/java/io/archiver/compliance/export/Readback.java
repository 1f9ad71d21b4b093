package io.archiver.compliance.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;

/** Reads exports back with other libraries than the writers': Gson, FastCSV, Apache mime4j. */
final class Readback {

    private Readback() {
    }

    static JsonObject manifest(Path dir) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve("manifest.json"), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    static List<JsonObject> jsonl(Path file) throws IOException {
        List<JsonObject> rows = new ArrayList<>();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(text.isEmpty() || text.endsWith("\n")).as("every line ends in \\n").isTrue();
        for (String line : text.split("\n", -1)) {
            if (!line.isEmpty()) {
                rows.add(JsonParser.parseString(line).getAsJsonObject());
            }
        }
        return rows;
    }

    static List<List<String>> csv(Path file) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        try (CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(file, StandardCharsets.UTF_8)) {
            for (CsvRecord record : reader) {
                rows.add(record.getFields());
            }
        }
        return rows;
    }

    static Message eml(Path file) throws IOException {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.custom().setMaxHeaderLen(-1).setMaxLineLen(-1).setMaxHeaderCount(-1)
                .setStrictParsing(true).build());
        try (InputStream in = Files.newInputStream(file)) {
            return builder.parseMessage(in);
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /**
     * Checks the manifest against the directory: every file listed exists with the bytes, SHA-256 (fresh)
     * and records stated, the records add up, and nothing else is in the directory (no temporary leftovers).
     * Returns the files in manifest order.
     */
    static List<Path> verifiedFiles(Path dir) throws Exception {
        JsonObject manifest = manifest(dir);
        List<Path> files = new ArrayList<>();
        long records = 0;
        Set<String> names = new TreeSet<>();
        for (JsonElement e : manifest.getAsJsonArray("files")) {
            JsonObject f = e.getAsJsonObject();
            Path file = dir.resolve(f.get("name").getAsString());
            assertThat(file).exists();
            assertThat(f.get("bytes").getAsLong()).as(file.toString()).isEqualTo(Files.size(file));
            assertThat(f.get("sha256").getAsString()).as(file.toString()).isEqualTo(sha256(file));
            records += f.get("records").getAsLong();
            files.add(file);
            names.add(file.getFileName().toString());
        }
        assertThat(manifest.get("records").getAsLong()).isEqualTo(records);
        assertThat(manifest.get("fileCount").getAsLong()).isEqualTo(files.size());
        names.add("manifest.json");
        try (Stream<Path> listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(names);
        }
        return files;
    }

    static List<String> strings(JsonArray array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.getAsString()));
        return values;
    }

    static String unescapeHtml(String s) {
        return s.replace("&#13;", "\r").replace("&#39;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }
}
