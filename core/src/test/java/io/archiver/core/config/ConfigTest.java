package io.archiver.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    /** The keys these tests use, of both roles (the core module alone has none installed). */
    static final SettingGroup KEYS = new SettingGroup() {
        @Override
        public String area() {
            return "test";
        }

        @Override
        public int order() {
            return 0;
        }

        @Override
        public List<Setting<?>> settings() {
            return List.of(Setting.string("db.url", Role.NODE), Setting.secret("db.password", Role.NODE),
                    Setting.integer("retention.days", 1, 2562, Role.NODE).withDefault(60),
                    Setting.integer("http.port", 0, 65535, Role.NODE, Role.FRONTEND),
                    Setting.bytes("spool.maxBytes", 1, Long.MAX_VALUE, Role.FRONTEND),
                    Setting.bool("archiving.critical", Role.FRONTEND),
                    Setting.duration("archiving.criticalAfter", Duration.ZERO, Duration.ofDays(1), Role.FRONTEND),
                    Setting.list("archive.brokers", Role.FRONTEND));
        }
    };
    static final Catalog CATALOG = Catalog.of(KEYS);

    @TempDir
    Path dir;

    @Test
    void environmentNamesAreUpperSnake() {
        assertThat(Config.environmentName("db.url")).isEqualTo("ARCHIVER_DB_URL");
        assertThat(Config.environmentName("spool.maxBytes")).isEqualTo("ARCHIVER_SPOOL_MAX_BYTES");
        assertThat(Config.environmentName("archiving.criticalAfter")).isEqualTo("ARCHIVER_ARCHIVING_CRITICAL_AFTER");
    }

    @Test
    void propertiesWithEnvironmentOverride() throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "db.url=jdbc:postgresql://a/archive\nspool.maxBytes=512MiB\nhttp.port=9000\n");
        Config config = Config.load(file, Map.of("ARCHIVER_HTTP_PORT", "9100"), CATALOG, null);
        assertThat(config.required("db.url")).isEqualTo("jdbc:postgresql://a/archive");
        assertThat(config.bytes("spool.maxBytes", 0)).isEqualTo(512L << 20);
        assertThat(config.integer("http.port", 8080)).isEqualTo(9100);
        assertThat(config.integer("db.password", 7)).as("a key not set takes the default").isEqualTo(7);
    }

    @Test
    void yamlIsFlattenedToDottedKeys() throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, "db:\n  url: jdbc:postgresql://b/archive\narchiving:\n  critical: true\n  criticalAfter: 45s\narchive:\n  brokers: [tcp://a:1, tcp://b:2]\n");
        Config config = Config.load(file, Map.of(), CATALOG, null);
        assertThat(config.required("db.url")).isEqualTo("jdbc:postgresql://b/archive");
        assertThat(config.bool("archiving.critical", false)).isTrue();
        assertThat(config.duration("archiving.criticalAfter", Duration.ZERO)).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.list("archive.brokers", List.of())).containsExactly("tcp://a:1", "tcp://b:2");
    }

    @Test
    void errorsNameTheKeyAndTheFix() {
        Config config = Config.of(Map.of("http.port", "eighty", "retention.days", "9999", "db.password", "hunter2"), Map.of(), CATALOG, Role.NODE);
        assertThatThrownBy(() -> config.integer("http.port", 1)).hasMessageContaining("http.port").hasMessageContaining("whole number");
        assertThatThrownBy(() -> config.integer("retention.days", 60, 1, 2562)).hasMessageContaining("from 1 to 2562");
        assertThatThrownBy(() -> config.required("db.url")).hasMessageContaining("ARCHIVER_DB_URL");
        assertThat(config.toString()).doesNotContain("hunter2");
    }

    @Test
    void secretFromFile() throws Exception {
        Path secret = dir.resolve("pw");
        Files.writeString(secret, "s3cret\n");
        Config config = Config.of(Map.of("db.passwordFile", secret.toString()), Map.of(), CATALOG, Role.NODE);
        assertThat(config.secret("db.password")).contains("s3cret");
    }
}
