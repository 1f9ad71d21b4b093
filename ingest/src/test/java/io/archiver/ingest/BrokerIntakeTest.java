package io.archiver.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.spool.SpoolFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.api.core.Message;
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
 * Front-ends that speak a broker protocol: AMQP 1.0 and Artemis core senders put one record per message
 * into {@code archive.inbound} on the front-end's AMQP port; the bridge stamps and forwards them.
 */
class BrokerIntakeTest {

    @TempDir
    Path dir;

    @Test
    void amqpAndCoreMessagesReachTheArchiveStampedWithTheFrontend() throws Exception {
        int archivePort = FrontendFixture.freePort();
        Map<String, String> settings = FrontendFixture.settings(dir, archivePort);
        settings.put("amqp.port", Integer.toString(FrontendFixture.freePort()));
        try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort);
             FrontendService frontend = FrontendService.start(FrontendFixture.config(settings))) {
            assertThat(frontend.amqpPort()).isPositive();
            Instant before = Instant.now();
            ObjectNode amqpText = TestRecords.record();
            ObjectNode amqpBytes = TestRecords.record();
            ObjectNode coreBytes = TestRecords.record();
            ObjectNode coreText = TestRecords.record();

            try (Client client = Client.create();
                 Connection connection = client.connect("127.0.0.1", frontend.amqpPort());
                 Sender sender = connection.openSender(SpoolFormat.INBOUND)) {
                sender.send(org.apache.qpid.protonj2.client.Message.create(amqpText.toString())).awaitAccepted(10, java.util.concurrent.TimeUnit.SECONDS);
                sender.send(org.apache.qpid.protonj2.client.Message.create(amqpBytes.toString().getBytes(StandardCharsets.UTF_8))
                        .durable(true).timeToLive(1)).awaitAccepted(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            try (ServerLocator locator = ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + frontend.amqpPort());
                 ClientSessionFactory factory = locator.createSessionFactory();
                 ClientSession session = factory.createSession();
                 ClientProducer producer = session.createProducer(SpoolFormat.INBOUND)) {
                ClientMessage bytes = session.createMessage(Message.BYTES_TYPE, true);
                bytes.getBodyBuffer().writeBytes(coreBytes.toString().getBytes(StandardCharsets.UTF_8));
                producer.send(bytes);
                ClientMessage text = session.createMessage(Message.TEXT_TYPE, false);
                text.getBodyBuffer().writeNullableSimpleString(org.apache.activemq.artemis.api.core.SimpleString.of(coreText.toString()));
                producer.send(text);
            }
            Instant after = Instant.now();

            await().atMost(Duration.ofSeconds(20)).until(() -> archive.messageCount() == 4);
            List<TestArchiveBroker.ArchivedMessage> messages = archive.takeAll();
            assertThat(messages).hasSize(4).allSatisfy(message -> {
                assertThat(message.type()).as("every body reaches the archive as bytes").isEqualTo(Message.BYTES_TYPE);
                assertThat(message.frontend()).isEqualTo(FrontendFixture.NAME);
                assertThat(message.receivedAt()).isBetween(before.toEpochMilli() - 1000, after.toEpochMilli() + 1000);
                assertThat(message.durable()).isTrue();
                assertThat(message.records()).hasSize(1);
            });
            List<ArchiveRecord> received = messages.stream().flatMap(m -> m.records().stream()).toList();
            assertThat(received).containsExactlyInAnyOrderElementsOf(
                    ForwardingTest.normalised(List.of(amqpText, amqpBytes, coreBytes, coreText)));
            FrontendFixture.awaitDepth(frontend::spoolDepth, 0);
        }
    }

    @Test
    void aNonDurableAmqpMessageIsKeptInTheSpoolAcrossARestart() throws Exception {
        int archivePort = FrontendFixture.freePort();
        Map<String, String> settings = FrontendFixture.settings(dir, archivePort);
        settings.put("amqp.port", Integer.toString(FrontendFixture.freePort()));
        ObjectNode record = TestRecords.record();
        try (FrontendService frontend = FrontendService.start(FrontendFixture.config(settings));
             Client client = Client.create();
             Connection connection = client.connect("127.0.0.1", frontend.amqpPort());
             Sender sender = connection.openSender(SpoolFormat.INBOUND)) {
            sender.send(org.apache.qpid.protonj2.client.Message.create(record.toString()).durable(false))
                    .awaitAccepted(10, java.util.concurrent.TimeUnit.SECONDS);
            FrontendFixture.awaitDepth(frontend::spoolDepth, 1);
        }
        try (FrontendService restarted = FrontendService.start(FrontendFixture.config(settings))) {
            FrontendFixture.awaitDepth(restarted::spoolDepth, 1);
            try (TestArchiveBroker archive = TestArchiveBroker.start(archivePort)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> archive.messageCount() == 1);
                List<TestArchiveBroker.ArchivedMessage> messages = archive.takeAll();
                assertThat(messages).hasSize(1);
                assertThat(messages.get(0).frontend()).isEqualTo(FrontendFixture.NAME);
                assertThat(messages.get(0).records()).containsExactlyElementsOf(ForwardingTest.normalised(List.of(record)));
            }
        }
    }
}
