package io.archiver.ingest;

import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Every setting the front-end reads, with its default, in one place: read (and checked) once at start so
 * that a bad value fails the start with the key in the message instead of a request later on.
 *
 * @param name              {@code frontend.name} (default: the host name), stamped on every spool message
 * @param tokensFile        {@code tokens.file} (required)
 * @param httpHost          {@code http.host} (default 127.0.0.1)
 * @param httpPort          {@code http.port} (default 8080, 0 = any free port)
 * @param amqpHost          {@code amqp.host} (default: {@code http.host})
 * @param amqpPort          {@code amqp.port} (default 5672, 0 = no AMQP/core acceptor)
 * @param spoolDir          {@code spool.dir} (default ./data/spool)
 * @param spoolMaxBytes     {@code spool.maxBytes} (default 1 GiB)
 * @param archiveBrokers    {@code archive.brokers} (default tcp://127.0.0.1:61616): the bridge starts at one of them and, after a failure, moves to the next in list order (see {@link SpoolBroker#bridge})
 * @param retryInterval     {@code archive.retryInterval} (default 500ms): the bridge's first reconnect delay
 * @param maxRetryInterval  {@code archive.maxRetryInterval} (default 5s): the bridge's longest reconnect delay
 * @param critical          {@code archiving.critical} (default false)
 * @param criticalAfter     {@code archiving.criticalAfter} (default 30s)
 * @param maxRecords        {@code ingest.maxRecords} (default 1000)
 * @param maxBytes          {@code ingest.maxBytes} (default 8 MiB)
 * @param policies          {@code policies.*} (default: archive everything), see {@link ArchivingPolicies}
 */
public record FrontendSettings(
        String name,
        Path tokensFile,
        String httpHost,
        int httpPort,
        String amqpHost,
        int amqpPort,
        Path spoolDir,
        long spoolMaxBytes,
        List<String> archiveBrokers,
        Duration retryInterval,
        Duration maxRetryInterval,
        boolean critical,
        Duration criticalAfter,
        int maxRecords,
        int maxBytes,
        ArchivingPolicies policies) {

    public static final String DEFAULT_ARCHIVE_BROKER = "tcp://127.0.0.1:61616";
    public static final long DEFAULT_SPOOL_MAX_BYTES = 1L << 30;
    public static final int DEFAULT_MAX_BYTES = 8 << 20;

    public FrontendSettings {
        archiveBrokers = List.copyOf(archiveBrokers);
    }

    /** Reads every key of {@link FrontendKeys}. */
    public static FrontendSettings from(Config config) {
        Path tokensFile = FrontendKeys.TOKENS_FILE.get(config);
        String httpHost = FrontendKeys.HTTP_HOST.get(config);
        List<String> brokers = FrontendKeys.ARCHIVE_BROKERS.get(config);
        if (brokers.isEmpty()) {
            throw new ConfigException("setting archive.brokers is empty: list at least one tcp://host:port");
        }
        brokers.forEach(FrontendSettings::checkBrokerUrl);
        Duration retryInterval = FrontendKeys.ARCHIVE_RETRY_INTERVAL.get(config);
        Duration maxRetryInterval = FrontendKeys.ARCHIVE_MAX_RETRY_INTERVAL.get(config);
        if (maxRetryInterval.compareTo(retryInterval) < 0) {
            throw new ConfigException("settings archive.retryInterval (" + retryInterval + ") and archive.maxRetryInterval ("
                    + maxRetryInterval + ") must be positive, the maximum not below the first");
        }
        return new FrontendSettings(
                FrontendKeys.NAME.get(config),
                tokensFile,
                httpHost,
                FrontendKeys.HTTP_PORT.get(config),
                FrontendKeys.AMQP_HOST.get(config),
                FrontendKeys.AMQP_PORT.get(config),
                FrontendKeys.SPOOL_DIR.get(config),
                FrontendKeys.SPOOL_MAX_BYTES.get(config),
                brokers,
                retryInterval,
                maxRetryInterval,
                FrontendKeys.ARCHIVING_CRITICAL.get(config),
                FrontendKeys.ARCHIVING_CRITICAL_AFTER.get(config),
                FrontendKeys.INGEST_MAX_RECORDS.get(config),
                FrontendKeys.INGEST_MAX_BYTES.get(config).intValue(),
                ArchivingPolicies.from(config));
    }

    private static void checkBrokerUrl(String url) {
        try {
            URI uri = new URI(url);
            if (!"tcp".equals(uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT))
                    || uri.getHost() == null || uri.getPort() <= 0) {
                throw new ConfigException("setting archive.brokers: '" + url + "' is not a tcp://host:port URL");
            }
        } catch (URISyntaxException e) {
            throw new ConfigException("setting archive.brokers: '" + url + "' is not a tcp://host:port URL: " + e.getMessage());
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String fromEnvironment = System.getenv("HOSTNAME");
            return fromEnvironment == null || fromEnvironment.isBlank() ? "frontend" : fromEnvironment;
        }
    }
}
