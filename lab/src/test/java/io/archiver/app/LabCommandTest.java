package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.lab.LabDatabaseCluster;
import io.archiver.app.support.Db;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code archiver lab}: everything starts, lab.json is written, traffic and the example record.json are
 * archived, the log goes to DIR/lab.log, a restart resumes on the same ports.
 */
class LabCommandTest {

    @TempDir
    Path dir;

    @Test
    void labRunsTrafficEndToEndAndARestartKeepsTheArchiveAndThePorts() throws Exception {
        Path data = dir.resolve("lab");
        CompletableFuture<String> firstRun = CompletableFuture.supplyAsync(() ->
                runLab("--frontends", "2", "--rate", "300", "--duration", "8s", "--data", data.toString()));
        JsonNode json = awaitLabJson(data, firstRun);

        // the example record the banner's try line posts is valid: the lab's front-end accepts it
        Path record = data.resolve("record.json");
        JsonNode example = new ObjectMapper().readTree(record.toFile());
        assertThat(example.get("from").asText()).endsWith("@contoso.com");
        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(json.get("frontends").get(0).asText() + "/v1/records"))
                .header("Authorization", "Bearer " + json.get("tokens").get("ingest").asText())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(record)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

        String first = firstRun.join();
        Matcher summary = Pattern.compile("sent (\\d+), accepted (\\d+), archived (\\d+)").matcher(first);
        assertThat(summary.find()).as(first).isTrue();
        long accepted = Long.parseLong(summary.group(2));
        assertThat(accepted).isGreaterThan(1000);
        assertThat(Long.parseLong(summary.group(3))).isEqualTo(accepted);
        assertThat(first).contains("all accepted records archived");

        assertThat(json.get("frontends")).hasSize(2);
        assertThat(json.get("amqp")).hasSize(2);
        assertThat(json.get("tokens").get("ingest").asText()).isNotEmpty();
        assertThat(json.get("tokens").get("auditor").asText()).isNotEmpty();
        assertThat(json.get("tokens").get("admin").asText()).isNotEmpty();
        assertThat(json.get("db").get("url").asText()).startsWith("jdbc:postgresql://127.0.0.1:");
        assertThat(json.get("db").get("url").asText()).contains("targetServerType=primary");
        assertThat(json.get("postgres")).hasSize(2);
        assertThat(json.get("postgres").get(0).get("name").asText()).isEqualTo("pg1");
        assertThat(json.get("postgres").get(0).get("role").asText()).isEqualTo("primary");
        assertThat(json.get("postgres").get(0).get("pid").asLong()).isPositive();
        assertThat(json.get("postgres").get(1).get("name").asText()).isEqualTo("pg2");
        assertThat(json.get("postgres").get(1).get("role").asText()).isEqualTo("standby");
        assertThat(json.get("postgres").get(1).get("pid").asLong()).isPositive();
        assertThat(json.get("nodes")).hasSize(1);
        assertThat(json.get("nodes").get(0).get("name").asText()).isEqualTo("node-1");
        assertThat(json.get("node").asText()).isEqualTo(json.get("nodes").get(0).get("url").asText());
        assertThat(json.get("config").asText()).endsWith("node.properties");

        // the banner: where lab.json is and how to read it, a try line with absolute paths, next steps
        String labJson = data.resolve("lab.json").toAbsolutePath().toString();
        assertThat(first).contains("  endpoints and tokens: " + labJson + " (e.g. jq -r .tokens.auditor " + labJson + ")");
        assertThat(first).contains("  try: curl -s -H \"Authorization: Bearer $(jq -r .tokens.ingest " + labJson + ")\""
                + " -H 'Content-Type: application/json' --data @" + record.toAbsolutePath()
                + " \"$(jq -r '.frontends[0]' " + labJson + ")/v1/records\"");
        assertThat(first).contains("    status  ./archiver status --config " + data.resolve("node.properties").toAbsolutePath());
        // the log went to DIR/lab.log
        assertThat(Files.readString(data.resolve("lab.log"))).contains("lab database cluster ready");

        CompletableFuture<String> secondRun = CompletableFuture.supplyAsync(() ->
                runLab("--rate", "0", "--duration", "2s", "--data", data.toString()));
        JsonNode again = awaitLabJson(data, secondRun);
        String second = secondRun.join();
        assertThat(second).contains("sent 0, accepted 0");
        // every listener, front-ends, nodes, brokers, AMQP and both PostgreSQL servers, is where it was
        for (String key : new String[] {"frontends", "node", "nodes", "amqp", "db", "config"}) {
            assertThat(again.get(key)).as(key).isEqualTo(json.get(key));
        }
        for (int i = 0; i < 2; i++) {
            assertThat(again.get("postgres").get(i).get("port")).isEqualTo(json.get("postgres").get(i).get("port"));
        }
        assertThat(Files.readString(data.resolve("lab.log"))).containsPattern("(?s)lab database cluster ready.*lab database cluster ready");

        String exampleId = example.get("id").asText();
        try (LabDatabaseCluster postgres = LabDatabaseCluster.start(data)) {
            Db db = new Db(postgres.jdbcUrl());
            assertThat(db.count("SELECT count(*) FROM archive.messages WHERE record_id = '" + exampleId + "'")).isEqualTo(1);
            assertThat(db.count("SELECT count(*) FROM archive.messages")).isEqualTo(accepted + 1);
            // the standby has every row too
            Db standby = new Db(postgres.jdbcUrl("pg2"));
            await().atMost(Duration.ofSeconds(60)).until(() -> standby.count("SELECT count(*) FROM archive.messages") == accepted + 1);
        }
    }

    /** lab.json as soon as the running lab has written it (atomically: a read only races with its absence). */
    private static JsonNode awaitLabJson(Path data, CompletableFuture<String> run) {
        Path file = data.resolve("lab.json");
        AtomicReference<JsonNode> json = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (run.isDone()) {
                throw new AssertionError("the lab ended before lab.json was seen:\n" + run.join());
            }
            if (Files.exists(file)) {
                try {
                    json.set(new ObjectMapper().readTree(file.toFile()));
                } catch (java.io.IOException e) {
                    return false;
                }
            }
            return json.get() != null;
        });
        return json.get();
    }

    private static String runLab(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            String[] command = new String[args.length + 1];
            command[0] = "lab";
            System.arraycopy(args, 0, command, 1, args.length);
            exit = io.archiver.lab.LabMain.execute(command);
        } finally {
            System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(text).isZero();
        return text;
    }
}
