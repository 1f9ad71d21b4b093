package io.archiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.spool.SpoolFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two archive brokers listed in {@code archive.brokers}, each in its own JVM with a persistent journal: when
 * the one the bridge forwards to is killed with SIGKILL (or hangs: SIGSTOP), forwarding moves to the other
 * within a bound (default retry settings) and stays there; the failed one, restarted on its journal (or
 * resumed), still holds what it had acknowledged; every record the front-end accepted reaches at least one
 * of them (duplicates across the two are fine: the archive de-duplicates by record id).
 */
class TwoArchiveBrokersTest {

    /**
     * How long the move may take after a kill (measured 0.6-0.75 s) and after a hang (measured ~11 s, the
     * pings' detection time), with room for a loaded machine; see SpoolBroker.bridge().
     */
    private static final Duration KILL_BOUND = Duration.ofSeconds(5);
    private static final Duration HANG_BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    /** The child JVM: an archive broker on args[0] (port) with its journal under args[1]. */
    public static final class ArchiveChild {
        public static void main(String[] args) throws Exception {
            TestArchiveBroker.start(Integer.parseInt(args[0]), Path.of(args[1]));
            System.out.println("ARCHIVE-READY");
            System.out.flush();
            Thread.currentThread().join();
        }
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process child : children) {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void whenTheBrokerTheBridgeUsesIsKilledForwardingMovesToTheOtherAndNothingIsLost() throws Exception {
        failOver(KILL_BOUND, (broker, scene) -> {
            broker.destroyForcibly();
            assertThat(broker.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }, scene -> {
            // The killed broker, back on its journal, still holds what it had acknowledged.
            scene.brokers[scene.used] = startBroker(scene.ports[scene.used], scene.journals[scene.used]);
            assertThat(count(scene.ports[scene.used])).isGreaterThanOrEqualTo(scene.acknowledgedBeforeFailure);
        });
    }

    /** A hung broker (or a vanished host) sends no FIN/RST: the bridge's pings must notice it. */
    @Test
    void whenTheBrokerTheBridgeUsesHangsForwardingMovesToTheOtherAndNothingIsLost() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/kill")) || Files.isExecutable(Path.of("/usr/bin/kill")), "needs kill(1) for SIGSTOP");
        failOver(HANG_BOUND, (broker, scene) -> signal(broker, "STOP"), scene -> {
            signal(scene.brokers[scene.used], "CONT");
            await().atMost(Duration.ofSeconds(10)).until(() -> count(scene.ports[scene.used]) >= scene.acknowledgedBeforeFailure);
        });
    }

    /** Ports, journals and child processes of the two brokers, and what the test learnt about them. */
    private static final class Scene {
        final int[] ports = {FrontendFixture.freePort(), FrontendFixture.freePort()};
        final Process[] brokers = new Process[2];
        final Path[] journals;
        int used;
        long acknowledgedBeforeFailure;

        Scene(Path dir) {
            journals = new Path[] {dir.resolve("archive-0"), dir.resolve("archive-1")};
        }
    }

    private interface Failure {
        void inflict(Process broker, Scene scene) throws Exception;
    }

    private interface Recovery {
        void recover(Scene scene) throws Exception;
    }

    private void failOver(Duration bound, Failure failure, Recovery recovery) throws Exception {
        Scene scene = new Scene(dir);
        int[] ports = scene.ports;
        for (int i = 0; i < 2; i++) {
            scene.brokers[i] = startBroker(ports[i], scene.journals[i]);
        }

        Map<String, String> settings = FrontendFixture.settings(dir, ports[0]);
        settings.put("archive.brokers", url(ports[0]) + "," + url(ports[1]));
        // The defaults (500ms first retry, 5s longest), which the bounds are about.
        settings.remove("archive.retryInterval");
        settings.remove("archive.maxRetryInterval");

        List<ObjectNode> sent = Collections.synchronizedList(new ArrayList<>());
        try (FrontendService frontend = FrontendService.start(FrontendFixture.config(settings))) {
            Sender sender = new Sender(frontend.httpPort(), sent);
            sender.start();
            try {
                await("the bridge forwards to one of the brokers").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(() -> count(ports[0]) + count(ports[1]) >= 5);
                int used = count(ports[0]) > 0 ? 0 : 1;
                int other = 1 - used;
                scene.used = used;
                assertThat(count(ports[other])).as("one bridge, one broker at a time").isZero();

                // What the used broker holds once the spool is empty was acknowledged by it, so it is on its disk.
                sender.pause();
                await().atMost(Duration.ofSeconds(30)).until(() -> frontend.spoolDepth() == 0);
                scene.acknowledgedBeforeFailure = count(ports[used]);
                sender.resume();
                await().atMost(Duration.ofSeconds(10)).until(() -> count(ports[used]) >= scene.acknowledgedBeforeFailure + 5);

                failure.inflict(scene.brokers[used], scene);
                long failedAt = System.nanoTime();
                await("forwarding moves to the other broker").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                        .until(() -> count(ports[other]) > 0);
                Duration move = Duration.ofNanos(System.nanoTime() - failedAt);
                System.out.println("TwoArchiveBrokersTest: the bridge was on broker " + used + "; forwarding moved to the other "
                        + move.toMillis() + " ms after the failure");
                assertThat(move).as("time for forwarding to move to the other broker").isLessThanOrEqualTo(bound);

                // It keeps forwarding there.
                long afterMove = count(ports[other]);
                await().atMost(Duration.ofSeconds(10)).until(() -> count(ports[other]) >= afterMove + 10);

                recovery.recover(scene);
            } finally {
                sender.stop();
            }
            assertThat(sender.failure()).as("every request accepted").isNull();
            await().atMost(Duration.ofSeconds(30)).until(() -> frontend.spoolDepth() == 0);
        }

        Set<String> archived = new HashSet<>();
        for (int port : ports) {
            for (TestArchiveBroker.ArchivedMessage message : TestArchiveBroker.takeAll(url(port))) {
                message.records().stream().map(ArchiveRecord::id).forEach(archived::add);
            }
        }
        Set<String> accepted = new HashSet<>();
        ForwardingTest.normalised(sent).stream().map(ArchiveRecord::id).forEach(accepted::add);
        assertThat(accepted).hasSizeGreaterThan(100);
        assertThat(archived).as("every accepted record is in at least one archive broker").containsAll(accepted);
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -" + signal).isZero();
    }

    /** Posts small batches continuously, remembering what was accepted, until stopped. */
    private static final class Sender {
        private final int port;
        private final List<ObjectNode> sent;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicBoolean paused = new AtomicBoolean(false);
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private final Thread thread;

        Sender(int port, List<ObjectNode> sent) {
            this.port = port;
            this.sent = sent;
            this.thread = new Thread(this::run, "two-brokers-sender");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            while (running.get()) {
                if (!paused.get()) {
                    inFlight.incrementAndGet();
                    try {
                        List<ObjectNode> records = TestRecords.many(5, 100);
                        int status = FrontendFixture.postJson(port, TestRecords.array(records)).statusCode();
                        if (status == 202) {
                            sent.addAll(records);
                        } else {
                            failure.compareAndSet(null, "HTTP " + status);
                        }
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e.toString());
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Stops posting and waits for the request under way. */
        void pause() {
            paused.set(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.get() == 0);
        }

        void resume() {
            paused.set(false);
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }

        String failure() {
            return failure.get();
        }
    }

    private static String url(int port) {
        return "tcp://127.0.0.1:" + port;
    }

    /** Messages in archive.records on the broker at port, -1 when it cannot be asked (down). */
    private static long count(int port) {
        try (ServerLocator locator = ActiveMQClient.createServerLocator(url(port) + "?callTimeout=2000");
             ClientSessionFactory factory = locator.createSessionFactory();
             ClientSession session = factory.createSession()) {
            return session.queueQuery(SimpleString.of(SpoolFormat.ARCHIVE)).getMessageCount();
        } catch (Exception e) {
            return -1;
        }
    }

    private Process startBroker(int port, Path journal) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ArchiveChild.class.getName(), String.valueOf(port), journal.toString())
                .redirectErrorStream(true)
                .start();
        children.add(child);
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.equals("ARCHIVE-READY")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // keep the child's pipe from filling up
                        }
                    } catch (IOException ignored) {
                        // the child is gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return child;
            }
            seen.add(line);
        }
        throw new AssertionError("the archive broker child did not start:\n" + String.join("\n", seen));
    }
}
