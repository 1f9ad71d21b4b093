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

    public static FrontendSettings from(Config config) {
        Path tokensFile = Path.of(config.required("tokens.file"));
        String httpHost = config.string("http.host", "127.0.0.1");
        List<String> brokers = config.list("archive.brokers", List.of(DEFAULT_ARCHIVE_BROKER));
        if (brokers.isEmpty()) {
            throw new ConfigException("setting archive.brokers is empty: list at least one tcp://host:port");
        }
        brokers.forEach(FrontendSettings::checkBrokerUrl);
        long spoolMaxBytes = config.bytes("spool.maxBytes", DEFAULT_SPOOL_MAX_BYTES);
        if (spoolMaxBytes <= 0) {
            throw new ConfigException("setting spool.maxBytes must be more than 0");
        }
        long maxBytes = config.bytes("ingest.maxBytes", DEFAULT_MAX_BYTES);
        if (maxBytes <= 0 || maxBytes > Integer.MAX_VALUE - 16) {
            throw new ConfigException("setting ingest.maxBytes must be from 1 byte to 2GiB");
        }
        Duration criticalAfter = config.duration("archiving.criticalAfter", Duration.ofSeconds(30));
        Duration retryInterval = config.duration("archive.retryInterval", Duration.ofMillis(500));
        Duration maxRetryInterval = config.duration("archive.maxRetryInterval", Duration.ofSeconds(5));
        if (retryInterval.isZero() || retryInterval.isNegative() || maxRetryInterval.compareTo(retryInterval) < 0) {
            throw new ConfigException("settings archive.retryInterval (" + retryInterval + ") and archive.maxRetryInterval ("
                    + maxRetryInterval + ") must be positive, the maximum not below the first");
        }
        return new FrontendSettings(
                config.string("frontend.name", hostName()),
                tokensFile,
                httpHost,
                config.integer("http.port", 8080, 0, 65535),
                config.string("amqp.host", httpHost),
                config.integer("amqp.port", 5672, 0, 65535),
                Path.of(config.string("spool.dir", "./data/spool")),
                spoolMaxBytes,
                brokers,
                retryInterval,
                maxRetryInterval,
                config.bool("archiving.critical", false),
                criticalAfter,
                config.integer("ingest.maxRecords", 1000, 1, 1_000_000),
                (int) maxBytes,
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
