package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.lab.LabPostgres;
import io.archiver.app.support.ArchiveSeed;
import io.archiver.app.support.ArchiverProcess;
import io.archiver.app.support.Db;
import io.archiver.app.support.TestFiles;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTP export job through a node in its own JVM: killed with SIGKILL in the middle of the export,
 * then stopped cleanly (SIGTERM) in the middle of the next attempt; the third start finishes it. The
 * files at the end are whole (every SHA-256 of the manifest matches, every record counted once, nothing
 * of the dead attempts left), and the job's row tells the story.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportJobCrashTest {

    private static final int CONVERSATIONS = 48;
    private static final int PER_CONVERSATION = 5000;
    private static final long RECORDS = (long) CONVERSATIONS * PER_CONVERSATION;

    @TempDir
    static Path dir;

    private LabPostgres postgres;
    private Db db;
    private final HttpClient client = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    void start() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        db = new Db(postgres.jdbcUrl());
        try (ArchiveSeed seed = new ArchiveSeed(postgres.jdbcUrl(), LabPostgres.USER)) {
            for (int c = 0; c < CONVERSATIONS; c++) {
                seed.day(2, PER_CONVERSATION, "exp" + c, "sip:user" + c + "@example.com", "conv-" + c);
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        postgres.close();
    }

    @Test
    void aJobInterruptedByAKillAndAStopIsFinishedWholeByTheNextStart() throws Exception {
        Path tokens = TestFiles.tokens(dir);
        Path exports = dir.resolve("exports");
        int http = TestFiles.freePort();
        String base = "http://127.0.0.1:" + http;
        Path config = config(tokens, exports, http);
        String id;

        ArchiverProcess first = node(config, base);
        try {
            String from = ArchiveSeed.NOON.minus(3, ChronoUnit.DAYS).toString();
            String to = ArchiveSeed.NOON.toString();
            HttpResponse<String> accepted = send(base, "POST", "/v1/exports",
                    "{\"from\": \"" + from + "\", \"to\": \"" + to + "\", \"format\": \"eml\"}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            id = json.readTree(accepted.body()).get("id").asText();
            awaitUnderWay(id);
            first.kill();
        } finally {
            first.close();
        }
        Path files = exports.resolve(id);
        assertThat(files.resolve("manifest.json")).as("no manifest from a killed attempt").doesNotExist();
        assertThat(db.count("SELECT count(*) FROM archive.exports WHERE id = ? AND state = 'running' AND attempts = 1", id)).isEqualTo(1);

        ArchiverProcess second = node(config, base);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    db.count("SELECT count(*) FROM archive.exports WHERE id = ? AND attempts = 2", id) == 1);
            awaitUnderWay(id);
        } finally {
            second.close(); // SIGTERM: the node stops its running export and queues it again
        }
        assertThat(db.count("SELECT count(*) FROM archive.exports WHERE id = ? AND state = 'queued' "
                + "AND error LIKE 'interrupted by the node''s stop%'", id)).isEqualTo(1);
        assertThat(files.resolve("manifest.json")).doesNotExist();

        ArchiverProcess third = node(config, base);
        try {
            await().atMost(Duration.ofSeconds(120)).until(() ->
                    db.count("SELECT count(*) FROM archive.exports WHERE id = ? AND state IN ('done', 'failed')", id) == 1);
            JsonNode status = json.readTree(send(base, "GET", "/v1/exports/" + id, null).body());
            assertThat(status.get("state").asText()).as(status.toString()).isEqualTo("done");
            assertThat(status.get("attempts").asInt()).isEqualTo(3);
            assertThat(status.path("progress").path("records").asLong()).isEqualTo(RECORDS);
            HttpResponse<String> manifestDownload = send(base, "GET", "/v1/exports/" + id + "/files/manifest.json", null);
            assertThat(manifestDownload.statusCode()).isEqualTo(200);
            assertThat(manifestDownload.body()).isEqualTo(Files.readString(files.resolve("manifest.json")));
        } finally {
            third.close();
        }
        assertWhole(files);
    }

    /** Every file the manifest lists is there with its SHA-256, the counts add up, and nothing else is in the directory. */
    private void assertWhole(Path files) throws Exception {
        JsonNode manifest = json.readTree(files.resolve("manifest.json").toFile());
        assertThat(manifest.get("records").asLong()).isEqualTo(RECORDS);
        long counted = 0;
        Set<String> listed = new TreeSet<>();
        for (JsonNode file : manifest.get("files")) {
            String name = file.get("name").asText();
            listed.add(name);
            assertThat(sha256(files.resolve(name))).as(name).isEqualTo(file.get("sha256").asText());
            counted += file.get("records").asLong();
        }
        assertThat(counted).isEqualTo(RECORDS);
        assertThat(listed).hasSize(CONVERSATIONS);
        listed.add("manifest.json");
        try (Stream<Path> present = Files.list(files)) {
            Set<String> names = present.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            assertThat(names).isEqualTo(listed);
        }
    }

    /** The job is running and has written its progress at least once after its first rows (so it is well past its start). */
    private void awaitUnderWay(String id) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                db.count("SELECT count(*) FROM archive.exports WHERE id = ? AND state = 'running' AND records_done > 0", id) == 1);
        try {
            assertThat(db.count("SELECT records_done FROM archive.exports WHERE id = ?", id)).as("still under way").isLessThan(RECORDS);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private HttpResponse<String> send(String base, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TestFiles.AUDITOR_TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Path config(Path tokens, Path exports, int http) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("node.name", "node-x");
        settings.put("db.url", postgres.jdbcUrl());
        settings.put("db.user", LabPostgres.USER);
        settings.put("broker.port", String.valueOf(TestFiles.freePort()));
        settings.put("broker.dir", dir.resolve("broker").toString());
        settings.put("http.port", String.valueOf(http));
        settings.put("tokens.file", tokens.toString());
        settings.put("exports.dir", exports.toString());
        return TestFiles.properties(dir.resolve("node.properties"), settings);
    }

    private ArchiverProcess node(Path config, String base) throws Exception {
        return ArchiverProcess.start(dir.resolve("node.log"), "node", "--config", config.toString()).awaitLive(base);
    }
}
