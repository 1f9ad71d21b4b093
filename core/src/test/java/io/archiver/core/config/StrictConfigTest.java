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

/** The loader refuses unknown keys and variables, and keys of the other role, naming the key meant. */
class StrictConfigTest {

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
            return List.of(
                    Setting.integer("retention.days", 1, 2562, Role.NODE).withDefault(60).withDoc("days kept"),
                    Setting.secret("db.password", Role.NODE),
                    Setting.duration("scheduler.checkinInterval", Duration.ofMillis(500), Duration.ofMinutes(10), Role.NODE)
                            .withDefault(Duration.ofMillis(7500)),
                    Setting.path("spool.dir", Role.FRONTEND),
                    Setting.integer("http.port", 0, 65535, Role.FRONTEND).withDefault(8080),
                    Setting.integer("http.port", 0, 65535, Role.NODE).withDefault(8081));
        }

        @Override
        public List<KeyPattern> patterns() {
            return List.of(new KeyPattern(List.of("retention.override.domain:<d>"), "retention.override.", "int", "1-2562",
                    java.util.EnumSet.of(Role.NODE), "per-domain days"));
        }
    };
    static final Catalog CATALOG = Catalog.of(KEYS);

    @TempDir
    Path dir;

    @Test
    void anUnknownKeyInAFileNamesTheFileAndTheKeyMeant() throws Exception {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, "retention.dayz=30\n");
        assertThatThrownBy(() -> Config.load(file, Map.of(), CATALOG, Role.NODE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown setting retention.dayz")
                .hasMessageContaining(file.toString())
                .hasMessageContaining("did you mean retention.days?");
        Files.writeString(file, "Retention.Days=30\n");
        assertThatThrownBy(() -> Config.load(file, Map.of(), CATALOG, Role.NODE))
                .as("case-insensitive").hasMessageContaining("did you mean retention.days?");
        Path yaml = dir.resolve("node.yaml");
        Files.writeString(yaml, "retention:\n  dayz: 30\n");
        assertThatThrownBy(() -> Config.load(yaml, Map.of(), CATALOG, Role.NODE))
                .as("YAML the same").hasMessageContaining("unknown setting retention.dayz").hasMessageContaining("did you mean retention.days?");
        Files.writeString(file, "completely.different=1\n");
        assertThatThrownBy(() -> Config.load(file, Map.of(), CATALOG, Role.NODE))
                .hasMessageContaining("unknown setting completely.different").message().doesNotContain("did you mean");
    }

    @Test
    void anUnknownVariableNamesTheVariableMeant() {
        assertThatThrownBy(() -> Config.of(Map.of(), Map.of("ARCHIVER_RETENTION_DAYZ", "30"), CATALOG, Role.NODE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown environment variable ARCHIVER_RETENTION_DAYZ")
                .hasMessageContaining("did you mean ARCHIVER_RETENTION_DAYS, for retention.days?");
        assertThat(Config.of(Map.of(), Map.of("ARCHIVER_RETENTION_DAYS", "30"), CATALOG, Role.NODE).find("retention.days"))
                .contains("30");
        assertThatThrownBy(() -> Config.of(Map.of(), Map.of("ARCHIVER_RETENTION_DAYZ", "30"), CATALOG, Role.FRONTEND))
                .as("a typo of the other role's key still gets its suggestion")
                .hasMessageContaining("did you mean ARCHIVER_RETENTION_DAYS, for retention.days?");
        assertThatThrownBy(() -> Config.of(Map.of("retention.dayz", "30"), Map.of(), CATALOG, Role.FRONTEND))
                .hasMessageContaining("did you mean retention.days?");
    }

    @Test
    void aKeyOfTheOtherRoleIsRefused() {
        assertThatThrownBy(() -> Config.of(Map.of("spool.dir", "/tmp/spool"), Map.of(), CATALOG, Role.NODE))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("spool.dir")
                .hasMessageContaining("is a front-end setting, not read by a node");
        assertThatThrownBy(() -> Config.of(Map.of("retention.days", "3"), Map.of(), CATALOG, Role.FRONTEND))
                .hasMessageContaining("retention.days").hasMessageContaining("is a node setting, not read by a front-end");
        assertThatThrownBy(() -> Config.of(Map.of(), Map.of("ARCHIVER_SPOOL_DIR", "/tmp"), CATALOG, Role.NODE))
                .hasMessageContaining("ARCHIVER_SPOOL_DIR").hasMessageContaining("not read by a node");
        assertThat(Config.of(Map.of("spool.dir", "/tmp/spool", "retention.days", "3"), Map.of(), CATALOG, null).find("spool.dir"))
                .as("without a role, keys of either go").contains("/tmp/spool");
    }

    @Test
    void theLaunchersVariablesAndOtherProgramsVariablesAreAllowed() {
        Map<String, String> environment = Map.of("ARCHIVER_JAVA_OPTS", "-Xmx1g", "ARCHIVER_TOKEN", "t", "ARCHIVER_DEBUG", "1",
                "ARCHIVER_DB_PASSWORD_FILE", "/run/secrets/pw", "PATH", "/bin", "HOME", "/root");
        assertThat(Config.of(Map.of(), environment, CATALOG, Role.NODE).find("db.passwordFile")).contains("/run/secrets/pw");
    }

    @Test
    void patternedKeysComeFromTheFileAndTheEnvironmentOnlyOverridesThem() {
        Map<String, String> file = Map.of("retention.override.domain:example.com", "365");
        Config config = Config.of(file, Map.of("ARCHIVER_RETENTION_OVERRIDE_DOMAIN_EXAMPLE_COM", "400"), CATALOG, Role.NODE);
        assertThat(config.find("retention.override.domain:example.com")).contains("400");
        assertThatThrownBy(() -> Config.of(Map.of(), Map.of("ARCHIVER_RETENTION_OVERRIDE_DOMAIN_EXAMPLE_COM", "400"), CATALOG, Role.NODE))
                .hasMessageContaining("ARCHIVER_RETENTION_OVERRIDE_DOMAIN_EXAMPLE_COM").hasMessageContaining("cannot add one");
    }

    @Test
    void settingsReadTypedWithTheirRangeAndDefault() {
        Setting<Integer> days = KEYS.settings().get(0).name().equals("retention.days") ? castInt(KEYS.settings().get(0)) : null;
        assertThat(days.get(Config.of(Map.of(), Map.of(), CATALOG, Role.NODE))).isEqualTo(60);
        assertThatThrownBy(() -> days.get(Config.of(Map.of("retention.days", "9999"), Map.of(), CATALOG, Role.NODE)))
                .hasMessage("setting retention.days = '9999' is not valid: expected a whole number from 1 to 2562 (default 60)");
        @SuppressWarnings("unchecked")
        Setting<Duration> checkin = (Setting<Duration>) KEYS.settings().get(2);
        assertThatThrownBy(() -> checkin.get(Config.of(Map.of("scheduler.checkinInterval", "100ms"), Map.of(), CATALOG, Role.NODE)))
                .hasMessage("setting scheduler.checkinInterval = '100ms' is not valid: expected a duration from 500ms to 10m (default 7500ms)");
        @SuppressWarnings("unchecked")
        Setting<String> password = (Setting<String>) KEYS.settings().get(1);
        assertThat(password.find(Config.of(Map.of(), Map.of("ARCHIVER_DB_PASSWORD", "hunter2"), CATALOG, Role.NODE))).contains("hunter2");
    }

    @Test
    void theReferenceDocumentsEveryKey() {
        String reference = ConfigReference.markdown(CATALOG);
        assertThat(reference).contains("| `retention.days` | int | `60` | 1-2562 |", "`db.password` (or `db.passwordFile`)",
                "`ARCHIVER_RETENTION_DAYS`", "retention.override.domain:<d>", "\\:");
    }

    @SuppressWarnings("unchecked")
    private static Setting<Integer> castInt(Setting<?> setting) {
        return (Setting<Integer>) setting;
    }
}
