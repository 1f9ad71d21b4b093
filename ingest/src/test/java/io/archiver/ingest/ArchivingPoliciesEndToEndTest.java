package io.archiver.ingest;

import static io.archiver.ingest.FrontendFixture.post;
import static io.archiver.ingest.FrontendFixture.postJson;
import static io.archiver.ingest.TestRecords.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.spool.SpoolFormat;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.qpid.protonj2.client.Client;
import org.apache.qpid.protonj2.client.Connection;
import org.apache.qpid.protonj2.client.Sender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archiving policies on a real front-end with a real spool and bridge: records they exclude are
 * answered like the others (202, counted in {@code accepted}) but never spooled nor forwarded, over HTTP
 * and over AMQP/core, and they are counted in {@code archiver_records_skipped_policy_total}.
 */
class ArchivingPoliciesEndToEndTest {

    private static final Pattern SKIPPED = Pattern.compile("archiver_records_skipped_policy_total\\{[^}]*\\} ([0-9.E]+)");

    @TempDir
    Path dir;

    /**
     * External records are not archived (global), internal records of fabrikam.com are not (domain), but
     * alice's external records are (user), and carol's internal ones are not (user beats the default).
     */
    private Map<String, String> settings(int archivePort) throws Exception {
        Map<String, String> settings = FrontendFixture.settings(dir, archivePort);
        settings.put("policies.global.archiveExternal", "false");
        settings.put("policies.domain:Fabrikam.com.archiveInternal", "false");
        settings.put("policies.user:sip:alice@example.com.archiveExternal", "true");
        settings.put("policies.user:sip:carol@example.com.archiveInternal", "false");
        return settings;
    }

    private static ObjectNode record(String id, boolean external, String from, String... to) {
        ObjectNode record = TestRecords.record(id);
        record.put("from", from);
        record.put("external", external);
        var recipients = record.putArray("to");
        for (String uri : to) {
            recipients.add(uri);
        }
        return record;
    }

    private static double skipped(int port) {
        Matcher m = SKIPPED.matcher(FrontendFixture.get(port, "/metrics").body());
        assertThat(m.find()).as("/metrics shows archiver_records_skipped_policy_total").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void excludedRecordsAreAcceptedAndCountedButNeverReachTheArchive() throws Exception {
        int archivePort = FrontendFixture.freePort();
        try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort);
             FrontendService frontend = FrontendService.start(FrontendFixture.config(settings(archivePort)))) {
            int port = frontend.httpPort();
            assertThat(skipped(port)).as("the counter exists from the start").isZero();

            List<ObjectNode> archived = List.of(
                    record("keep-internal", false, "sip:bob@example.com", "sip:dave@example.com"),
                    record("keep-alice-external", true, "sip:x@partner.net", "sip:alice@Example.com"),
                    record("keep-any-participant", false, "sip:erin@fabrikam.com", "sip:frank@FABRIKAM.com", "sip:bob@example.com"));
            List<ObjectNode> excluded = List.of(
                    record("skip-external", true, "sip:bob@example.com", "sip:x@partner.net"),
                    record("skip-domain", false, "sip:erin@fabrikam.com", "sip:frank@Fabrikam.COM"),
                    record("skip-user-and-domain", false, "sip:carol@example.com", "sip:erin@fabrikam.com"));
            List<ObjectNode> mixed = List.of(excluded.get(0), archived.get(0), excluded.get(1), archived.get(1), archived.get(2), excluded.get(2));

            HttpResponse<String> response = postJson(port, TestRecords.array(mixed));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(JSON.readTree(response.body()).get("accepted").asInt()).as("accepted counts every record").isEqualTo(6);
            assertThat(skipped(port)).isEqualTo(3.0);

            List<ObjectNode> allExcluded = List.of(
                    record("skip-all-1", true, "sip:bob@example.com", "sip:x@partner.net"),
                    record("skip-all-2", false, "sip:carol@example.com"));
            allExcluded.get(1).put("kind", "session-start").remove("body");
            allExcluded.get(1).putArray("to");
            HttpResponse<String> none = post(port, "application/x-ndjson", TestRecords.ndjson(allExcluded));
            assertThat(none.statusCode()).as(none.body()).isEqualTo(202);
            assertThat(JSON.readTree(none.body()).get("accepted").asInt()).isEqualTo(2);
            assertThat(skipped(port)).isEqualTo(5.0);

            // A last archived record: the bridge forwards in order, so once it is in, anything spooled before it is too.
            ObjectNode sentinel = record("keep-sentinel", false, "sip:bob@example.com", "sip:dave@example.com");
            assertThat(postJson(port, sentinel.toString()).statusCode()).isEqualTo(202);
            List<ArchiveRecord> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                received.addAll(archive.takeAllRecords());
                return received.stream().anyMatch(r -> r.id().equals("keep-sentinel"));
            });
            List<ObjectNode> expected = new ArrayList<>(archived);
            expected.add(sentinel);
            assertThat(received).containsExactlyInAnyOrderElementsOf(ForwardingTest.normalised(expected));
            FrontendFixture.awaitDepth(frontend::spoolDepth, 0);

            assertThat(FrontendFixture.get(port, "/metrics").body())
                    .as("accepted counts what was answered 202, skipped ones included")
                    .containsPattern("archiver_records_accepted_total\\{[^}]*\\} 9");
        }
    }

    @Test
    void withTheArchiveDownOnlyTheArchivedRecordsOccupyTheSpool() throws Exception {
        try (FrontendService frontend = FrontendService.start(FrontendFixture.config(settings(FrontendFixture.freePort())))) {
            int port = frontend.httpPort();
            HttpResponse<String> allExcluded = postJson(port, TestRecords.array(List.of(
                    record(TestRecords.newId(), true, "sip:bob@example.com", "sip:x@partner.net"),
                    record(TestRecords.newId(), false, "sip:erin@fabrikam.com", "sip:frank@fabrikam.com"))));
            assertThat(allExcluded.statusCode()).as(allExcluded.body()).isEqualTo(202);
            FrontendFixture.assertDepthStays(frontend::spoolDepth, 0);
            assertThat(frontend.spoolBytes()).isZero();

            HttpResponse<String> mixed = postJson(port, TestRecords.array(List.of(
                    record(TestRecords.newId(), true, "sip:bob@example.com", "sip:x@partner.net"),
                    record(TestRecords.newId(), false, "sip:bob@example.com", "sip:dave@example.com"))));
            assertThat(mixed.statusCode()).as(mixed.body()).isEqualTo(202);
            FrontendFixture.awaitDepth(frontend::spoolDepth, 1);
            assertThat(skipped(port)).isEqualTo(3.0);
        }
    }

    @Test
    void recordsSentOverAmqpAndCoreAreFilteredToo() throws Exception {
        int archivePort = FrontendFixture.freePort();
        Map<String, String> settings = settings(archivePort);
        settings.put("amqp.port", Integer.toString(FrontendFixture.freePort()));
        try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort);
             FrontendService frontend = FrontendService.start(FrontendFixture.config(settings))) {
            ObjectNode amqpExcluded = record("amqp-skip", true, "sip:bob@example.com", "sip:x@partner.net");
            ObjectNode amqpArchived = record("amqp-keep", true, "sip:alice@example.com", "sip:x@partner.net");
            ObjectNode coreExcluded = record("core-skip", false, "sip:erin@fabrikam.com", "sip:frank@fabrikam.com");
            ObjectNode coreArchived = record("core-keep", false, "sip:bob@example.com", "sip:dave@example.com");
            ObjectNode coreForged = record("core-forged", false, "sip:bob@example.com", "sip:dave@example.com");
            String invalid = "{\"id\":\"core-invalid\",\"from\":\"sip:erin@fabrikam.com\"}";

            try (Client client = Client.create();
                 Connection connection = client.connect("127.0.0.1", frontend.amqpPort());
                 Sender sender = connection.openSender(SpoolFormat.INBOUND)) {
                sender.send(org.apache.qpid.protonj2.client.Message.create(amqpExcluded.toString())).awaitAccepted(10, TimeUnit.SECONDS);
                sender.send(org.apache.qpid.protonj2.client.Message.create(amqpArchived.toString().getBytes(StandardCharsets.UTF_8))
                        .durable(true)).awaitAccepted(10, TimeUnit.SECONDS);
            }
            try (ServerLocator locator = ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + frontend.amqpPort());
                 ClientSessionFactory factory = locator.createSessionFactory();
                 ClientSession session = factory.createSession();
                 ClientProducer producer = session.createProducer(SpoolFormat.INBOUND)) {
                producer.send(bytes(session, coreExcluded.toString()));
                ClientMessage text = session.createMessage(Message.TEXT_TYPE, true);
                text.getBodyBuffer().writeNullableSimpleString(SimpleString.of(coreArchived.toString()));
                producer.send(text);
                ClientMessage forged = bytes(session, coreForged.toString());
                forged.putIntProperty(InboundPolicyPlugin.SKIP, 1);
                producer.send(forged);
                producer.send(bytes(session, invalid));
            }
            assertThat(skipped(frontend.httpPort())).as("counted when the send is acknowledged").isEqualTo(2.0);

            await().atMost(Duration.ofSeconds(20)).until(() -> archive.messageCount() == 4);
            FrontendFixture.awaitDepth(frontend::spoolDepth, 0);
            List<String> bodies = archive.takeAll().stream().map(m -> new String(m.body(), StandardCharsets.UTF_8)).toList();
            assertThat(bodies).as("archived records, a forged skip marker ignored, an invalid record left to the archive node")
                    .containsExactlyInAnyOrder(amqpArchived.toString(), coreArchived.toString(), coreForged.toString(), invalid);
            assertThat(archive.messageCount()).isZero();
            assertThat(skipped(frontend.httpPort())).isEqualTo(2.0);
        }
    }

    @Test
    void withoutPoliciesNothingIsSkippedAndTheBrokerHasNoPolicyPlugin() throws Exception {
        int archivePort = FrontendFixture.freePort();
        Map<String, String> settings = FrontendFixture.settings(dir, archivePort);
        try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort);
             FrontendService frontend = FrontendService.start(FrontendFixture.config(settings))) {
            assertThat(frontend.settings().policies().archivesEverything()).isTrue();
            assertThat(frontend.spoolBroker().server().getBrokerMessagePlugins()).noneMatch(InboundPolicyPlugin.class::isInstance);
            List<ObjectNode> sent = List.of(record(TestRecords.newId(), true, "sip:bob@example.com", "sip:x@partner.net"));
            assertThat(postJson(frontend.httpPort(), TestRecords.array(sent)).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> archive.messageCount() == 1);
            assertThat(archive.takeAllRecords()).containsExactlyElementsOf(ForwardingTest.normalised(sent));
            assertThat(skipped(frontend.httpPort())).isZero();
        }
    }

    private static ClientMessage bytes(ClientSession session, String json) {
        ClientMessage message = session.createMessage(Message.BYTES_TYPE, true);
        message.getBodyBuffer().writeBytes(json.getBytes(StandardCharsets.UTF_8));
        return message;
    }
}
