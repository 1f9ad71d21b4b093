package io.archiver.ingest;

import static io.archiver.ingest.FrontendFixture.postJson;
import static io.archiver.ingest.TestRecords.JSON;
import static io.archiver.ingest.TestRecords.array;
import static io.archiver.ingest.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.archiver.core.config.ConfigException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 503 with Retry-After: critical mode with the archive down too long, and a full spool; and start-up refusals. */
class RefusalTest {

    @TempDir
    Path dir;

    @Test
    void criticalModeRefusesOnceTheArchiveIsUnreachableLongerThanItsThresholdAndRecovers() throws Exception {
        int archivePort = FrontendFixture.freePort();
        Map<String, String> settings = FrontendFixture.settings(dir, archivePort);
        settings.put("archiving.critical", "true");
        settings.put("archiving.criticalAfter", "1s");
        try (FrontendService frontend = FrontendService.start(FrontendFixture.config(settings))) {
            int port = frontend.httpPort();
            AtomicInteger accepted = new AtomicInteger();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                int status = postJson(port, record().toString()).statusCode();
                if (status == 202) {
                    accepted.incrementAndGet();
                }
                return status == 503;
            });
            long depth = FrontendFixture.settledDepth(frontend::spoolDepth);
            HttpResponse<String> refused = postJson(port, record().toString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
            assertThat(JSON.readTree(refused.body()).get("error").asText()).contains("archiving.critical");
            FrontendFixture.assertDepthStays(frontend::spoolDepth, depth);

            HttpResponse<String> ready = FrontendFixture.get(port, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(ready.body()).get("checks").get("refusing").asText()).contains("unreachable");
            assertThat(FrontendFixture.get(port, "/metrics").body()).containsPattern("archiver_requests_refused_total\\{[^}]*status=\"503\"");

            try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort)) {
                await().atMost(Duration.ofSeconds(15)).until(frontend::archiveReachable);
                assertThat(postJson(port, record().toString()).statusCode()).isEqualTo(202);
                assertThat(FrontendFixture.get(port, "/health/ready").statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(15)).until(() -> frontend.spoolDepth() == 0);
                assertThat(archive.takeAllRecords()).hasSize(accepted.get() + 1);
            }
        }
    }

    @Test
    void criticalModeOffKeepsAcceptingWhileTheArchiveIsDown() throws Exception {
        Map<String, String> settings = FrontendFixture.settings(dir, FrontendFixture.freePort());
        settings.put("archiving.criticalAfter", "100ms");
        try (FrontendService frontend = FrontendService.start(FrontendFixture.config(settings))) {
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !frontend.archiveReachable());
            for (int i = 0; i < 5; i++) {
                assertThat(postJson(frontend.httpPort(), record().toString()).statusCode()).isEqualTo(202);
            }
            FrontendFixture.awaitDepth(frontend::spoolDepth, 5);
        }
    }

    @Test
    void aFullSpoolRefusesWith503UntilItDrains() throws Exception {
        int archivePort = FrontendFixture.freePort();
        Map<String, String> settings = FrontendFixture.settings(dir, archivePort);
        settings.put("spool.maxBytes", "32KiB");
        try (FrontendService frontend = FrontendService.start(FrontendFixture.config(settings))) {
            int port = frontend.httpPort();
            int accepted = 0;
            HttpResponse<String> response;
            while ((response = postJson(port, array(List.of(TestRecords.withBody(TestRecords.newId(), 3000))))).statusCode() == 202) {
                accepted++;
                assertThat(accepted).as("the spool never fills").isLessThan(20);
            }
            assertThat(accepted).isBetween(3, 10);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(JSON.readTree(response.body()).get("error").asText()).contains("spool.maxBytes");
            FrontendFixture.awaitDepth(frontend::spoolDepth, accepted);
            assertThat(frontend.spoolBytes()).isLessThanOrEqualTo(32 * 1024);

            HttpResponse<String> ready = FrontendFixture.get(port, "/health/ready");
            assertThat(ready.statusCode()).as("readiness follows the refusal").isEqualTo(503);
            JsonNode checks = JSON.readTree(ready.body()).get("checks");
            assertThat(checks.get("refusing").asText()).contains("spool is full");
            assertThat(checks.get("spoolDepth").asLong()).isEqualTo(accepted);

            try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort)) {
                await().atMost(Duration.ofSeconds(15)).until(() -> frontend.spoolDepth() == 0);
                assertThat(FrontendFixture.get(port, "/health/ready").statusCode()).isEqualTo(200);
                assertThat(postJson(port, array(List.of(TestRecords.withBody(TestRecords.newId(), 3000)))).statusCode()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(15)).until(() -> frontend.spoolDepth() == 0);
                assertThat(archive.takeAllRecords()).hasSize(accepted + 1);
            }
        }
    }

    @Test
    void aFailedSpoolWriteIs503AndSpoolsNothing() throws Exception {
        try (FrontendService frontend = FrontendService.start(FrontendFixture.config(FrontendFixture.settings(dir, FrontendFixture.freePort())))) {
            frontend.spoolWriter().close();
            HttpResponse<String> response = postJson(frontend.httpPort(), record().toString());
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(JSON.readTree(response.body()).get("error").asText()).contains("the spool did not take 1 record(s)");
            FrontendFixture.assertDepthStays(frontend::spoolDepth, 0);
        }
    }

    @Test
    void aStoppedSpoolBrokerIs503AtOnceAndNotReady() throws Exception {
        try (FrontendService frontend = FrontendService.start(FrontendFixture.config(FrontendFixture.settings(dir, FrontendFixture.freePort())))) {
            frontend.spoolBroker().close();
            long started = System.nanoTime();
            HttpResponse<String> response = postJson(frontend.httpPort(), record().toString());
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(JSON.readTree(response.body()).get("error").asText()).contains("spool is not running");
            HttpResponse<String> ready = FrontendFixture.get(frontend.httpPort(), "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(ready.body()).get("checks").get("spoolBroker").asText()).isEqualTo("DOWN");
        }
    }

    @Test
    void aMissingTokensFileFailsTheStartNamingTheKey() throws Exception {
        Map<String, String> settings = FrontendFixture.settings(dir, FrontendFixture.freePort());
        settings.remove("tokens.file");
        assertThatThrownBy(() -> FrontendService.start(FrontendFixture.config(settings)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tokens.file");
    }

    @Test
    void badSettingsFailTheStartNamingTheKey() throws Exception {
        Map<String, String> settings = FrontendFixture.settings(dir, FrontendFixture.freePort());
        settings.put("archive.brokers", "http://archive:80");
        assertThatThrownBy(() -> FrontendService.start(FrontendFixture.config(settings)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("archive.brokers");
        settings.put("archive.brokers", "tcp://127.0.0.1:1");
        settings.put("spool.maxBytes", "lots");
        assertThatThrownBy(() -> FrontendService.start(FrontendFixture.config(settings)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("spool.maxBytes");
        settings.remove("spool.maxBytes");
        settings.put("archiving.criticalAfter", "soon");
        assertThatThrownBy(() -> FrontendService.start(FrontendFixture.config(settings)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("archiving.criticalAfter");
    }

    @Test
    void defaultsFollowTheContract() throws Exception {
        FrontendSettings defaults = FrontendSettings.from(FrontendFixture.config(Map.of("tokens.file", "t.txt")));
        assertThat(defaults.httpHost()).isEqualTo("127.0.0.1");
        assertThat(defaults.httpPort()).isEqualTo(8080);
        assertThat(defaults.amqpHost()).isEqualTo("127.0.0.1");
        assertThat(defaults.amqpPort()).isEqualTo(5672);
        assertThat(defaults.spoolDir()).isEqualTo(Path.of("./data/spool"));
        assertThat(defaults.spoolMaxBytes()).isEqualTo(1L << 30);
        assertThat(defaults.archiveBrokers()).containsExactly("tcp://127.0.0.1:61616");
        assertThat(defaults.critical()).isFalse();
        assertThat(defaults.criticalAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.maxRecords()).isEqualTo(1000);
        assertThat(defaults.maxBytes()).isEqualTo(8 << 20);
        assertThat(defaults.name()).isNotBlank();
        FrontendSettings amqpFollowsHttp = FrontendSettings.from(FrontendFixture.config(Map.of("tokens.file", "t.txt", "http.host", "0.0.0.0")));
        assertThat(amqpFollowsHttp.amqpHost()).isEqualTo("0.0.0.0");
    }
}
