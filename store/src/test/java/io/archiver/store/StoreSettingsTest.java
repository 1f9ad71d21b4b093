package io.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archiver.core.config.Catalog;
import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import io.archiver.core.config.Role;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The store's settings, read once through StoreKeys: defaults, overrides, secrets masked. */
class StoreSettingsTest {

    @Test
    void defaultsComeFromTheDefinitions() throws Exception {
        StoreSettings settings = StoreSettings.from(Config.of(Map.of("db.url", "jdbc:postgresql://h/archive"), Map.of()));
        assertThat(settings.nodeName()).isEqualTo(InetAddress.getLocalHost().getHostName());
        assertThat(settings.httpHost()).isEqualTo("127.0.0.1");
        assertThat(settings.httpPort()).isEqualTo(8081);
        assertThat(settings.tokensFile()).isEmpty();
        assertThat(settings.database()).isEqualTo(new DatabaseSettings("jdbc:postgresql://h/archive", Optional.empty(), Optional.empty(),
                Database.DEFAULT_POOL_SIZE, Database.DEFAULT_CONNECTION_TIMEOUT));
        assertThat(settings.broker()).isEqualTo(new BrokerSettings(ArchiveBroker.DEFAULT_HOST, ArchiveBroker.DEFAULT_PORT,
                Path.of(ArchiveBroker.DEFAULT_DIR).toAbsolutePath().normalize(), ArchiveBroker.DEFAULT_QUEUE_MEMORY));
        assertThat(settings.consumer()).isEqualTo(new ConsumerSettings(ArchivingConsumer.DEFAULT_WRITERS,
                ArchivingConsumer.DEFAULT_BATCH_RECORDS, ArchivingConsumer.DEFAULT_BATCH_LINGER));
    }

    @Test
    void fileAndEnvironmentAreReadTypedAndTheSecretIsMasked() {
        Config config = Config.of(Map.of("db.url", "jdbc:postgresql://h/archive", "node.name", "n1", "store.writers", "3",
                        "broker.queueMemory", "64MiB", "store.batchLinger", "5ms"),
                Map.of("ARCHIVER_DB_PASSWORD", "hunter2", "ARCHIVER_HTTP_PORT", "0"), Catalog.installed(), Role.NODE);
        StoreSettings settings = StoreSettings.from(config);
        assertThat(settings.nodeName()).isEqualTo("n1");
        assertThat(settings.httpPort()).isZero();
        assertThat(settings.consumer().writers()).isEqualTo(3);
        assertThat(settings.consumer().batchLinger()).isEqualTo(Duration.ofMillis(5));
        assertThat(settings.broker().queueMemory()).isEqualTo(64L << 20);
        assertThat(settings.database().password()).contains("hunter2");
        assertThat(settings.toString()).doesNotContain("hunter2").contains("password=****");
    }

    @Test
    void badValuesNameTheKeyAndTheRange() {
        assertThatThrownBy(() -> StoreSettings.from(Config.of(Map.of("db.url", "jdbc:postgresql://h/a", "store.writers", "65"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessage("setting store.writers = '65' is not valid: expected a whole number "
                        + "from 1 to 64 (default 2)");
        assertThatThrownBy(() -> StoreSettings.from(Config.of(Map.of("db.url", "jdbc:postgresql://h/a", "broker.queueMemory", "lots"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("broker.queueMemory").hasMessageContaining("512MiB");
    }
}
