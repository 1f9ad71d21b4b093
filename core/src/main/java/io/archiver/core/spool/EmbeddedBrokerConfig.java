package io.archiver.core.spool;

import java.nio.file.Path;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.core.config.CoreAddressConfiguration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;

/**
 * The one configuration both embedded Artemis brokers start from (the front-end's spool and the archive
 * node's broker): a persistent journal under one directory, the duplicate-id cache persisted (so a
 * bridge's resend after a restart is still recognised), no JMX, no critical analyzer, and no disk
 * limit of Artemis's own (the front-end enforces {@code spool.maxBytes} itself so that it can answer
 * 503; the archive broker must never block its bridges). Each broker adds its acceptors, connectors
 * and bridges to {@link #configuration()}.
 *
 * <pre>
 * ConfigurationImpl c = EmbeddedBrokerConfig.persistent("archive-broker", dir)
 *         .storeAndForwardQueue(SpoolFormat.ARCHIVE, 256L &lt;&lt; 20)
 *         .configuration();
 * </pre>
 */
public final class EmbeddedBrokerConfig {

    private final ConfigurationImpl configuration = new ConfigurationImpl();

    private EmbeddedBrokerConfig(String name, Path dir) {
        configuration.setName(name);
        configuration.setPersistenceEnabled(true);
        configuration.setJournalDirectory(dir.resolve("journal").toString());
        configuration.setBindingsDirectory(dir.resolve("bindings").toString());
        configuration.setPagingDirectory(dir.resolve("paging").toString());
        configuration.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
        configuration.setNodeManagerLockDirectory(dir.resolve("journal").toString());
        configuration.setJournalSyncTransactional(true);
        configuration.setJournalSyncNonTransactional(true);
        configuration.setPersistIDCache(true);
        configuration.setSecurityEnabled(false);
        configuration.setJMXManagementEnabled(false);
        configuration.setCriticalAnalyzer(false);
        configuration.setMaxDiskUsage(-1);
        configuration.setGracefulShutdownEnabled(false);
    }

    /** A broker named {@code name} keeping everything under {@code dir} (journal, bindings, paging, large messages). */
    public static EmbeddedBrokerConfig persistent(String name, Path dir) {
        return new EmbeddedBrokerConfig(name, dir);
    }

    /**
     * A durable anycast queue of the address' name, created at start, that nothing ever leaves except to
     * its consumer or bridge: no expiry (messages' own TTLs ignored), unlimited delivery attempts, no
     * dead-letter or expiry address, never auto-deleted, paged to disk beyond {@code inMemoryBytes}.
     */
    public EmbeddedBrokerConfig storeAndForwardQueue(String address, long inMemoryBytes) {
        configuration.addAddressConfiguration(new CoreAddressConfiguration()
                .setName(address)
                .addRoutingType(RoutingType.ANYCAST)
                .addQueueConfiguration(QueueConfiguration.of(address)
                        .setAddress(address)
                        .setRoutingType(RoutingType.ANYCAST)
                        .setDurable(true)));
        configuration.addAddressSetting(address, addressSettings(inMemoryBytes));
        return this;
    }

    /** The settings {@link #storeAndForwardQueue} gives its address, for a broker that adds to them. */
    public AddressSettings addressSettings(String address) {
        return configuration.getAddressSettings().get(address);
    }

    /** How many duplicate ids are remembered per address (Artemis's default is 20,000). */
    public EmbeddedBrokerConfig duplicateIdCache(int size) {
        configuration.setIDCacheSize(size);
        return this;
    }

    /** The configuration so far, to add acceptors, connectors, bridges and plugins to. */
    public ConfigurationImpl configuration() {
        return configuration;
    }

    private static AddressSettings addressSettings(long inMemoryBytes) {
        return new AddressSettings()
                .setAddressFullMessagePolicy(AddressFullMessagePolicy.PAGE)
                .setMaxSizeBytes(inMemoryBytes)
                .setMaxDeliveryAttempts(-1)
                .setNoExpiry(true)
                .setExpiryDelay(-1L)
                .setAutoCreateDeadLetterResources(false)
                .setAutoCreateExpiryResources(false)
                .setAutoCreateAddresses(false)
                .setAutoCreateQueues(false)
                .setAutoDeleteQueues(false)
                .setAutoDeleteAddresses(false);
    }
}
