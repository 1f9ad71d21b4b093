package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.archiver.app.support.Cli;
import io.archiver.app.support.TestFiles;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./archiver send} when things are not as they should be: a missing file, a front-end that is not there or busy. */
class SendCommandTest {

    @TempDir
    static Path dir;

    private static Path oneRecord() throws Exception {
        Path file = dir.resolve("one.ndjson");
        Files.writeString(file, "{\"id\":\"s-1\"}\n");
        return file;
    }

    @Test
    void aMissingFileIsNamed() {
        Cli.Result r = Cli.run("send", "--url", "http://127.0.0.1:1", "--token", "t", "good.ndjson");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("archiver: no such file: good.ndjson\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnreachableFrontEndIsReportedAtEachRetryThenGivenUp() throws Exception {
        String url = "http://127.0.0.1:" + TestFiles.freePort();
        long started = System.nanoTime();
        Cli.Result r = Cli.run("send", "--url", url, "--token", "t", "--give-up-after", "2s", oneRecord().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines().toList()).first().isEqualTo("archiver: send: " + url + ": connection refused; retry 1 in 0.1 s");
        assertThat(r.err()).contains("connection refused; retry 2 in 0.2 s\n").contains("connection refused; retry 3 in 0.4 s\n");
        assertThat(r.err().lines().toList()).last().asString().startsWith("archiver: front-end " + url + "/v1/records did not accept the batch within 2s")
                .endsWith("(last: connection refused)");
        assertThat(System.nanoTime() - started).isLessThan(10_000_000_000L);
    }

    @Test
    void aBusyFrontEndsRetryAfterIsReportedAndHonoured() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/records", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (requests.incrementAndGet() == 1) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                exchange.sendResponseHeaders(503, -1);
            } else {
                byte[] body = "{\"accepted\":1}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(202, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            long started = System.nanoTime();
            Cli.Result r = Cli.run("send", "--url", url, "--token", "t", oneRecord().toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).isEqualTo("archiver: send: " + url + ": 503 Retry-After 1; retry 1 in 1.0 s\n");
            assertThat(r.out()).isEqualTo("sent 1 record\n");
            assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(1_000_000_000L);
            assertThat(requests.get()).isEqualTo(2);
        } finally {
            server.stop(0);
        }
    }
}
