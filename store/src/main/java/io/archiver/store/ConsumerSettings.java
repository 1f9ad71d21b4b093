package io.archiver.store;

import io.archiver.core.config.Config;
import java.time.Duration;

/** The archiving consumer's settings ({@code store.*}, see {@link StoreKeys}). */
public record ConsumerSettings(int writers, int batchRecords, Duration batchLinger) {

    public static ConsumerSettings from(Config config) {
        return new ConsumerSettings(StoreKeys.STORE_WRITERS.get(config), StoreKeys.STORE_BATCH_RECORDS.get(config),
                StoreKeys.STORE_BATCH_LINGER.get(config));
    }
}
