package io.archiver.store;

import static io.archiver.store.testing.TestRecords.message;
import static io.archiver.store.testing.TestRecords.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.archiver.core.config.Config;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.RecordJson;
import io.archiver.core.spool.SpoolFormat;
import io.archiver.store.testing.CoreSender;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.qpid.protonj2.client.Client;
import org.apache.qpid.protonj2.client.Connection;
import org.apache.qpid.protonj2.client.Message;
import org.apache.qpid.protonj2.client.Sender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class NodeServiceEndToEndTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    @TempDir
    Path brokerDir;

    @Test
    void archivesEveryValidRecordOnceAndDeadLettersTheRest() throws Exception {
        Map<String, String> settings = PG.settings(PG.createDatabase());
        settings.put("broker.port", "0");
        settings.put("broker.dir", brokerDir.toString());
        settings.put("http.port", "0");
        settings.put("node.name", "e2e");
        try (NodeService node = NodeService.start(Config.of(settings, Map.of()))) {
            DataSource db = node.dataSource();
            long now = System.currentTimeMillis();
            int expected = 0;
            try (CoreSender sender = new CoreSender(node.brokerPort())) {
                // 10,000 records in 100 batch messages, as the HTTP front-end sends them.
                List<ArchiveRecord> bulk = messages("bulk", 10_000);
                for (int i = 0; i < 100; i++) {
                    sender.sendBatch(bulk.subList(i * 100, (i + 1) * 100), "fe-a", now);
                }
                expected += 10_000;
                // Five batches again (a bridge retry): duplicates, not new rows.
                for (int i = 0; i < 5; i++) {
                    sender.sendBatch(bulk.subList(i * 100, (i + 1) * 100), "fe-b", now);
                }
                // Single records: TEXT without properties, BYTES (array form) with them.
                for (int i = 0; i < 20; i++) {
                    sender.sendText(RecordJson.toJson(message("text-" + i)), Map.of());
                    sender.sendBytes("[" + RecordJson.toJson(message("bytes-" + i)) + "]",
                            Map.of(SpoolFormat.FRONTEND, "fe-c", SpoolFormat.RECEIVED_AT, now));
                }
                expected += 40;
                // Not JSON at all; and a message with one valid and one invalid record.
                sender.sendBytes("{not json", Map.of(SpoolFormat.FRONTEND, "fe-c"));
                sender.sendBytes(RecordJson.toJson(message("half-valid")) + "\n"
                        + "{\"id\":\"half-invalid\",\"conversationId\":\"c\",\"sentAt\":\"2026-01-01T00:00:00Z\",\"to\":[\"sip:b@example.com\"],\"body\":\"x\"}",
                        Map.of(SpoolFormat.FRONTEND, "fe-c"));
                expected += 1;
                // Same id, other content: a conflict, not an overwrite.
                sender.sendText(RecordJson.toJson(message("bulk-7", "tampered")), Map.of());
                // A large message (over the 4 MiB threshold): 80 records of 60 KiB bodies.
                List<ArchiveRecord> large = new ArrayList<>();
                for (int i = 0; i < 80; i++) {
                    large.add(message("large-" + i, ("large body " + i + " ").repeat(5_000).substring(0, 60_000)));
                }
                sender.sendBatch(large, "fe-a", now);
                expected += 80;
            }
            // AMQP 1.0 senders: a string body without properties, a binary body with them.
            try (Client client = Client.create();
                 Connection connection = client.connect("127.0.0.1", node.brokerPort());
                 Sender amqp = connection.openSender(SpoolFormat.ARCHIVE)) {
                amqp.send(Message.create(RecordJson.toJson(message("amqp-text"))).durable(true)).awaitSettlement();
                amqp.send(Message.create(RecordJson.toJson(message("amqp-bytes")).getBytes(StandardCharsets.UTF_8))
                        .durable(true).property(SpoolFormat.FRONTEND, "fe-amqp").property(SpoolFormat.RECEIVED_AT, now))
                        .awaitSettlement();
            }
            expected += 2;

            int total = expected;
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages")).isEqualTo(total);
                assertThat(Sql.number(db, "SELECT count(*) FROM archive.dead_letters")).isEqualTo(2);
                assertThat(Sql.number(db, "SELECT count(*) FROM archive.conflicts")).isEqualTo(1);
                assertThat(node.queueDepth()).isZero();
            });

            assertThat(Sql.number(db, "SELECT count(DISTINCT record_id) FROM archive.messages")).isEqualTo(total);
            assertThat(Sql.rows(db, "SELECT frontend FROM archive.messages WHERE record_id IN ('text-3', 'bytes-3', 'amqp-text', 'amqp-bytes', 'bulk-3', 'large-3') ORDER BY record_id"))
                    .extracting(r -> r.get("frontend"))
                    .containsExactly("fe-amqp", "unknown", "fe-a", "fe-c", "fe-a", "unknown");
            assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE record_id = 'bulk-7' AND body = 'hello from bulk-7'")).isEqualTo(1);
            assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE record_id LIKE 'large-%' AND length(body) = 60000")).isEqualTo(80);
            List<Map<String, Object>> letters = Sql.rows(db, "SELECT record_id, payload, reason, frontend FROM archive.dead_letters ORDER BY id");
            assertThat(letters).anySatisfy(r -> {
                assertThat(r.get("payload")).isEqualTo("{not json");
                assertThat((String) r.get("reason")).startsWith("unreadable message");
                assertThat(r.get("record_id")).isNull();
            });
            assertThat(letters).anySatisfy(r -> {
                assertThat(r.get("record_id")).isEqualTo("half-invalid");
                assertThat((String) r.get("reason")).contains("from");
                assertThat(r.get("frontend")).isEqualTo("fe-c");
            });

            String metrics = get("http://127.0.0.1:" + node.httpPort() + "/metrics").body();
            assertThat(metrics).containsPattern("archiver_records_archived_total\\{[^}]*\\} " + total + "\\.0")
                    .containsPattern("archiver_records_duplicate_total\\{[^}]*\\} 500\\.0")
                    .containsPattern("archiver_conflicts_total\\{[^}]*\\} 1\\.0")
                    .containsPattern("archiver_dead_letters_total\\{[^}]*\\} 2\\.0")
                    .contains("archiver_archive_queue_depth")
                    .contains("archiver_batch_write_seconds");
            HttpResponse<String> ready = get("http://127.0.0.1:" + node.httpPort() + "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"database\":\"UP\"").contains("\"broker\":\"UP\"");
        }
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
