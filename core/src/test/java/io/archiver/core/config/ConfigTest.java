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
        Config config = Config.load(file, Map.of("ARCHIVER_HTTP_PORT", "9100"));
        assertThat(config.required("db.url")).isEqualTo("jdbc:postgresql://a/archive");
        assertThat(config.bytes("spool.maxBytes", 0)).isEqualTo(512L << 20);
        assertThat(config.integer("http.port", 8080)).isEqualTo(9100);
        assertThat(config.integer("missing", 7)).isEqualTo(7);
    }

    @Test
    void yamlIsFlattenedToDottedKeys() throws Exception {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, "db:\n  url: jdbc:postgresql://b/archive\narchiving:\n  critical: true\n  criticalAfter: 45s\narchive:\n  brokers: [tcp://a:1, tcp://b:2]\n");
        Config config = Config.load(file, Map.of());
        assertThat(config.required("db.url")).isEqualTo("jdbc:postgresql://b/archive");
        assertThat(config.bool("archiving.critical", false)).isTrue();
        assertThat(config.duration("archiving.criticalAfter", Duration.ZERO)).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.list("archive.brokers", List.of())).containsExactly("tcp://a:1", "tcp://b:2");
    }

    @Test
    void errorsNameTheKeyAndTheFix() {
        Config config = Config.of(Map.of("http.port", "eighty", "retention.days", "9999", "db.password", "hunter2"), Map.of());
        assertThatThrownBy(() -> config.integer("http.port", 1)).hasMessageContaining("http.port").hasMessageContaining("whole number");
        assertThatThrownBy(() -> config.integer("retention.days", 60, 1, 2562)).hasMessageContaining("from 1 to 2562");
        assertThatThrownBy(() -> config.required("db.url")).hasMessageContaining("ARCHIVER_DB_URL");
        assertThat(config.toString()).doesNotContain("hunter2");
    }

    @Test
    void secretFromFile() throws Exception {
        Path secret = dir.resolve("pw");
        Files.writeString(secret, "s3cret\n");
        Config config = Config.of(Map.of("db.passwordFile", secret.toString()), Map.of());
        assertThat(config.secret("db.password")).contains("s3cret");
    }
}
