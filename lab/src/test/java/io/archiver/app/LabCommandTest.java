package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.lab.LabDatabaseCluster;
import io.archiver.app.support.Db;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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

/** {@code archiver lab}: everything starts, lab.json is written, traffic is archived, a restart resumes. */
class LabCommandTest {

    @TempDir
    Path dir;

    @Test
    void labRunsTrafficEndToEndAndARestartKeepsTheArchive() throws Exception {
        Path data = dir.resolve("lab");
        AtomicReference<JsonNode> labJson = new AtomicReference<>();
        CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
            Path file = data.resolve("lab.json");
            for (int i = 0; i < 600 && labJson.get() == null; i++) {
                try {
                    if (Files.exists(file)) {
                        labJson.set(new ObjectMapper().readTree(file.toFile()));
                    } else {
                        Thread.sleep(100);
                    }
                } catch (Exception e) {
                    // written atomically; a read races only with a missing file
                }
            }
        });
        String first = runLab("--frontends", "2", "--rate", "300", "--duration", "8s", "--data", data.toString());
        watcher.join();
        Matcher summary = Pattern.compile("sent (\\d+), accepted (\\d+), archived (\\d+)").matcher(first);
        assertThat(summary.find()).as(first).isTrue();
        long accepted = Long.parseLong(summary.group(2));
        assertThat(accepted).isGreaterThan(1000);
        assertThat(Long.parseLong(summary.group(3))).isEqualTo(accepted);
        assertThat(first).contains("all accepted records archived");

        JsonNode json = labJson.get();
        assertThat(json).as("lab.json while running").isNotNull();
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

        String second = runLab("--rate", "0", "--duration", "2s", "--data", data.toString());
        assertThat(second).contains("sent 0, accepted 0");
        try (LabDatabaseCluster postgres = LabDatabaseCluster.start(data)) {
            assertThat(new Db(postgres.jdbcUrl()).count("SELECT count(*) FROM archive.messages")).isEqualTo(accepted);
            // the standby has every row too
            Db standby = new Db(postgres.jdbcUrl("pg2"));
            await().atMost(Duration.ofSeconds(60)).until(() -> standby.count("SELECT count(*) FROM archive.messages") == accepted);
        }
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
