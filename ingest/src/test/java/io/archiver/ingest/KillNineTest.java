package io.archiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archiver.core.record.ArchiveRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 202 promise: a front-end in its own JVM answers 202 and is killed with SIGKILL right after;
 * a front-end started on the same spool.dir still has the records and forwards them.
 */
class KillNineTest {

    @TempDir
    Path dir;

    /** The child JVM: starts a front-end from a properties file and prints its HTTP port. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Properties properties = new Properties();
            try (var reader = Files.newBufferedReader(Path.of(args[0]))) {
                properties.load(reader);
            }
            Map<String, String> settings = new java.util.HashMap<>();
            properties.stringPropertyNames().forEach(k -> settings.put(k, properties.getProperty(k)));
            FrontendService frontend = FrontendService.start(FrontendFixture.config(settings));
            System.out.println("HTTP-PORT " + frontend.httpPort());
            System.out.flush();
            Thread.currentThread().join();
        }
    }

    @Test
    void acceptedRecordsSurviveAKillMinusNineRightAfterTheReply() throws Exception {
        int archivePort = FrontendFixture.freePort();
        Map<String, String> settings = FrontendFixture.settings(dir, archivePort);
        Properties properties = new Properties();
        properties.putAll(settings);
        Path file = dir.resolve("frontend.properties");
        try (var writer = Files.newBufferedWriter(file)) {
            properties.store(writer, null);
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), file.toString())
                .redirectErrorStream(true)
                .start();
        List<ObjectNode> sent = new ArrayList<>();
        try {
            int port = readPort(child);
            for (int i = 0; i < 3; i++) {
                List<ObjectNode> records = TestRecords.many(20, 200);
                sent.addAll(records);
                assertThat(FrontendFixture.postJson(port, TestRecords.array(records)).statusCode()).isEqualTo(202);
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        try (FrontendService restarted = FrontendService.start(FrontendFixture.config(settings))) {
            FrontendFixture.awaitDepth(restarted::spoolDepth, 3);
            try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> restarted.spoolDepth() == 0);
                List<ArchiveRecord> received = archive.takeAllRecords();
                assertThat(received).containsExactlyInAnyOrderElementsOf(ForwardingTest.normalised(sent));
            }
        }
    }

    private static int readPort(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("HTTP-PORT ")) {
                int port = Integer.parseInt(line.substring("HTTP-PORT ".length()).trim());
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the child's pipe from filling up
                        }
                    } catch (java.io.IOException ignored) {
                        // the child is gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return port;
            }
            seen.add(line);
        }
        throw new AssertionError("the child front-end did not start:\n" + String.join("\n", seen));
    }
}
