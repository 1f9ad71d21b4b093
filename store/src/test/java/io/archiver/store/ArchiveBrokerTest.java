package io.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.archiver.core.config.Config;
import io.archiver.core.spool.SpoolFormat;
import java.nio.file.Path;
import java.util.Map;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveBrokerTest {

    @TempDir
    Path dir;

    @Test
    void journalsMessagesDurablyAcrossARestartOnAnEphemeralPort() throws Exception {
        Config config = Config.of(Map.of("broker.port", "0", "broker.dir", dir.toString()), Map.of());
        try (ArchiveBroker broker = ArchiveBroker.start(BrokerSettings.from(config))) {
            assertThat(broker.port()).isPositive();
            assertThat(broker.isActive()).isTrue();
            send(broker.port(), 3);
            assertThat(broker.queueDepth()).isEqualTo(3);

            AddressSettings settings = broker.server().getAddressSettingsRepository().getMatch(SpoolFormat.ARCHIVE);
            assertThat(settings.getAddressFullMessagePolicy()).isEqualTo(AddressFullMessagePolicy.PAGE);
            assertThat(settings.getMaxDeliveryAttempts()).isEqualTo(-1);
            assertThat(settings.getExpiryDelay()).isEqualTo(-1L);
            assertThat(broker.server().getConfiguration().getMaxDiskUsage()).isEqualTo(-1);
            assertThat(broker.server().locateQueue(SimpleString.of(SpoolFormat.ARCHIVE)).isDurable()).isTrue();
        }
        try (ArchiveBroker again = ArchiveBroker.start(BrokerSettings.from(config))) {
            assertThat(again.queueDepth()).isEqualTo(3);
        }
    }

    private static void send(int port, int count) throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + port);
             ClientSessionFactory factory = locator.createSessionFactory();
             ClientSession session = factory.createSession();
             ClientProducer producer = session.createProducer(SpoolFormat.ARCHIVE)) {
            for (int i = 0; i < count; i++) {
                ClientMessage message = session.createMessage(true);
                message.getBodyBuffer().writeBytes(("{\"id\":\"b-" + i + "\"}").getBytes());
                producer.send(message);
            }
        }
    }
}
