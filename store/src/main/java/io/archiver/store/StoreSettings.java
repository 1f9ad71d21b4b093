package io.archiver.store;

import io.archiver.core.config.Config;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Every setting of the store's part of an archive node, read once at start ({@link StoreKeys}) and
 * passed down to {@link NodeService}, {@link Database}, {@link ArchiveBroker} and {@link ArchivingConsumer}.
 *
 * @param nodeName   {@code node.name} (the host name)
 * @param httpHost   {@code http.host} (127.0.0.1)
 * @param httpPort   {@code http.port} (8081; 0 picks a free port)
 * @param tokensFile {@code tokens.file} (none: the admin API refuses every call)
 */
public record StoreSettings(String nodeName, String httpHost, int httpPort, Optional<Path> tokensFile, DatabaseSettings database,
                            BrokerSettings broker, ConsumerSettings consumer) {

    public static StoreSettings from(Config config) {
        return new StoreSettings(StoreKeys.NODE_NAME.get(config), StoreKeys.HTTP_HOST.get(config), StoreKeys.HTTP_PORT.get(config),
                StoreKeys.TOKENS_FILE.find(config), DatabaseSettings.from(config), BrokerSettings.from(config), ConsumerSettings.from(config));
    }
}
