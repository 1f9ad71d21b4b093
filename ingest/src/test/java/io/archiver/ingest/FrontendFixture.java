package io.archiver.ingest;

import io.archiver.core.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.awaitility.Awaitility;

/** Settings for a front-end under test, free ports, and an HTTP client for its API. */
final class FrontendFixture {

    static final String INGEST_TOKEN = "ingest-token-0123456789";
    static final String AUDITOR_TOKEN = "auditor-token-0123456789";
    static final String NAME = "fe-test";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private FrontendFixture() {
    }

    static int freePort() {
        return io.archiver.core.testing.FreePorts.any();
    }

    static Path tokensFile(Path dir) throws IOException {
        Path file = dir.resolve("tokens.txt");
        if (!Files.exists(file)) {
            Files.writeString(file, "# test tokens\n" + INGEST_TOKEN + " ingest fe-client\n" + AUDITOR_TOKEN + " auditor\n");
        }
        return file;
    }

    /** A front-end on ephemeral HTTP port, no AMQP, forwarding to 127.0.0.1:archivePort, spooling under dir/spool. */
    static Map<String, String> settings(Path dir, int archivePort) throws IOException {
        Map<String, String> settings = new HashMap<>();
        settings.put("frontend.name", NAME);
        settings.put("tokens.file", tokensFile(dir).toString());
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", "0");
        settings.put("amqp.port", "0");
        settings.put("spool.dir", dir.resolve("spool").toString());
        settings.put("archive.brokers", "tcp://127.0.0.1:" + archivePort);
        settings.put("archive.maxRetryInterval", "1s");
        settings.put("archive.retryInterval", "200ms");
        return settings;
    }

    static Config config(Map<String, String> settings) {
        return Config.of(settings, Map.of());
    }

    static HttpResponse<String> post(int port, String token, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/records"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request.build());
    }

    static HttpResponse<String> post(int port, String contentType, String body) {
        return post(port, INGEST_TOKEN, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> postJson(int port, String body) {
        return post(port, "application/json", body);
    }

    static HttpResponse<String> get(int port, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    /**
     * Artemis counts a committed message in the queue a moment after the commit returned (on the queue's
     * executor), so depth checks wait for it instead of reading it once.
     */
    static void awaitDepth(LongSupplier depth, long expected) {
        Awaitility.await("spool depth " + expected).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> depth.getAsLong() == expected);
    }

    /** The depth once it has stopped moving (two reads 50 ms apart agree). */
    static long settledDepth(LongSupplier depth) {
        AtomicLong last = new AtomicLong(-1);
        Awaitility.await("spool depth settles").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    long now = depth.getAsLong();
                    return now == last.getAndSet(now);
                });
        return last.get();
    }

    /** The depth stays at {@code expected} for a while: nothing was spooled. */
    static void assertDepthStays(LongSupplier depth, long expected) {
        Awaitility.await("spool depth stays " + expected).during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(40)).until(() -> depth.getAsLong() == expected);
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
