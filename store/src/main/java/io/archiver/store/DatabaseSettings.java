package io.archiver.store;

import io.archiver.core.config.Config;
import java.time.Duration;
import java.util.Optional;

/**
 * How the node and the CLI commands reach the archive database ({@code db.*}, see {@link StoreKeys}).
 * The password is never shown: {@link #toString()} masks it.
 */
public record DatabaseSettings(String url, Optional<String> user, Optional<String> password, int poolSize, Duration connectionTimeout) {

    public static DatabaseSettings from(Config config) {
        return new DatabaseSettings(StoreKeys.DB_URL.get(config), StoreKeys.DB_USER.find(config), StoreKeys.DB_PASSWORD.find(config),
                StoreKeys.DB_POOL_SIZE.get(config), StoreKeys.DB_CONNECTION_TIMEOUT.get(config));
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=" + url + ", user=" + user.orElse("(driver's)") + ", password=" + (password.isPresent() ? "****" : "(none)")
                + ", poolSize=" + poolSize + ", connectionTimeout=" + connectionTimeout + "]";
    }
}
