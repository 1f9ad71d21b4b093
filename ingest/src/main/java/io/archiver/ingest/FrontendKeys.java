package io.archiver.ingest;

import static io.archiver.core.config.Role.FRONTEND;

import io.archiver.core.config.KeyPattern;
import io.archiver.core.config.Role;
import io.archiver.core.config.Setting;
import io.archiver.core.config.SettingGroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

/** Every key of the front-end ({@link FrontendSettings}, {@link ArchivingPolicies}). */
public final class FrontendKeys implements SettingGroup {

    public static final Setting<String> NAME = Setting.string("frontend.name", FRONTEND)
            .withDefault(FrontendSettings::hostName, "the host name")
            .withDoc("the front-end's name, stamped on every spool message and the metrics' instance tag");
    public static final Setting<Path> TOKENS_FILE = Setting.path("tokens.file", FRONTEND).withRequired()
            .withDoc("the bearer tokens of the senders (and their roles)");
    public static final Setting<String> HTTP_HOST = Setting.string("http.host", FRONTEND).withDefault("127.0.0.1")
            .withDoc("address of the HTTP listener (POST /v1/records, health, metrics)");
    public static final Setting<Integer> HTTP_PORT = Setting.integer("http.port", 0, 65535, FRONTEND).withDefault(8080)
            .withDoc("port of the HTTP listener; 0 picks a free port");
    public static final Setting<String> AMQP_HOST = Setting.string("amqp.host", FRONTEND)
            .withDerivedDefault(config -> FrontendKeys.HTTP_HOST.get(config), "the value of http.host")
            .withDoc("address of the spool broker's acceptor for AMQP and core senders");
    public static final Setting<Integer> AMQP_PORT = Setting.integer("amqp.port", 0, 65535, FRONTEND).withDefault(5672)
            .withDoc("port of the spool broker's acceptor; 0: no AMQP/core acceptor");
    public static final Setting<Path> SPOOL_DIR = Setting.path("spool.dir", FRONTEND).withDefault(Path.of("./data/spool"))
            .withDoc("the spool broker's journal: records wait here until the archive node has them");
    public static final Setting<Long> SPOOL_MAX_BYTES = Setting.bytes("spool.maxBytes", 1, 1L << 50, FRONTEND)
            .withDefault(FrontendSettings.DEFAULT_SPOOL_MAX_BYTES)
            .withDoc("the spool's size limit; beyond it intake answers 503");
    public static final Setting<List<String>> ARCHIVE_BROKERS = Setting.list("archive.brokers", FRONTEND)
            .withDefault(List.of(FrontendSettings.DEFAULT_ARCHIVE_BROKER))
            .withDoc("the archive nodes' brokers (tcp://host:port, comma-separated); the bridge moves to the next after a failure");
    public static final Setting<Duration> ARCHIVE_RETRY_INTERVAL = Setting.duration("archive.retryInterval", Duration.ofMillis(1),
                    Duration.ofHours(1), FRONTEND).withDefault(Duration.ofMillis(500))
            .withDoc("the bridge's first reconnect delay");
    public static final Setting<Duration> ARCHIVE_MAX_RETRY_INTERVAL = Setting.duration("archive.maxRetryInterval", Duration.ofMillis(1),
                    Duration.ofHours(1), FRONTEND).withDefault(Duration.ofSeconds(5))
            .withDoc("the bridge's longest reconnect delay (not below archive.retryInterval)");
    public static final Setting<Boolean> ARCHIVING_CRITICAL = Setting.bool("archiving.critical", FRONTEND).withDefault(false)
            .withDoc("refuse intake (503) while the archive has been unreachable for archiving.criticalAfter");
    public static final Setting<Duration> ARCHIVING_CRITICAL_AFTER = Setting.duration("archiving.criticalAfter", Duration.ZERO,
                    Duration.ofDays(7), FRONTEND).withDefault(Duration.ofSeconds(30))
            .withDoc("how long the archive may be unreachable before a critical front-end refuses intake");
    public static final Setting<Integer> INGEST_MAX_RECORDS = Setting.integer("ingest.maxRecords", 1, 1_000_000, FRONTEND).withDefault(1000)
            .withDoc("records one POST /v1/records may carry");
    public static final Setting<Long> INGEST_MAX_BYTES = Setting.bytes("ingest.maxBytes", 1, 1L << 30, FRONTEND)
            .withDefault((long) FrontendSettings.DEFAULT_MAX_BYTES)
            .withDoc("bytes one POST /v1/records may carry");

    public static final KeyPattern POLICIES = new KeyPattern(
            List.of("policies.global.archiveInternal", "policies.global.archiveExternal", "policies.domain:<domain>.archiveInternal",
                    "policies.domain:<domain>.archiveExternal", "policies.user:<sip uri>.archiveInternal", "policies.user:<sip uri>.archiveExternal"),
            ArchivingPolicies.PREFIX, "bool", "", EnumSet.of(Role.FRONTEND),
            "archive a record with only internal (same domain) or also external participants; the narrowest scope wins "
                    + "(user, then domain, then global, then true); a record is archived when any participant's flag is true");

    /** The value of one policy key. */
    static Setting<Boolean> policy(String key) {
        return Setting.bool(key, FRONTEND);
    }

    @Override
    public String area() {
        return "Front-end";
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(NAME, TOKENS_FILE, HTTP_HOST, HTTP_PORT, AMQP_HOST, AMQP_PORT, SPOOL_DIR, SPOOL_MAX_BYTES, ARCHIVE_BROKERS,
                ARCHIVE_RETRY_INTERVAL, ARCHIVE_MAX_RETRY_INTERVAL, ARCHIVING_CRITICAL, ARCHIVING_CRITICAL_AFTER, INGEST_MAX_RECORDS,
                INGEST_MAX_BYTES);
    }

    @Override
    public List<KeyPattern> patterns() {
        return List.of(POLICIES);
    }
}
