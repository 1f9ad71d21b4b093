package io.archiver.store;

import io.archiver.core.config.Config;
import java.nio.file.Path;

/** The archive broker's settings ({@code broker.*}, see {@link StoreKeys}); {@code dir} absolute. */
public record BrokerSettings(String host, int port, Path dir, long queueMemory) {

    public static BrokerSettings from(Config config) {
        return new BrokerSettings(StoreKeys.BROKER_HOST.get(config), StoreKeys.BROKER_PORT.get(config),
                StoreKeys.BROKER_DIR.get(config).toAbsolutePath().normalize(), StoreKeys.BROKER_QUEUE_MEMORY.get(config));
    }
}
