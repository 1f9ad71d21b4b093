package io.archiver.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetentionSettingsTest {

    @Test
    void defaultsAreThoseOfTheOriginal() {
        RetentionSettings settings = RetentionSettings.from(Config.of(Map.of(), Map.of()));
        assertThat(settings).isEqualTo(new RetentionSettings(true, 60, "0 0 2 * * ?", false, RetentionOverrides.none(),
                2_000, java.time.Duration.ofMillis(50), 3));
    }

    @Test
    void hourOfDayShapesTheDefaultCronAndCronWins() {
        assertThat(RetentionSettings.from(Config.of(Map.of("retention.hourOfDay", "23"), Map.of())).cron()).isEqualTo("0 0 23 * * ?");
        assertThat(RetentionSettings.from(Config.of(Map.of("retention.hourOfDay", "23", "retention.cron", "0/5 * * * * ?"), Map.of())).cron())
                .isEqualTo("0/5 * * * * ?");
    }

    @Test
    void outOfRangeValuesAreRefusedWithTheKey() {
        assertThatThrownBy(() -> RetentionSettings.from(Config.of(Map.of("retention.days", "2563"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retention.days").hasMessageContaining("1 to 2562");
        assertThatThrownBy(() -> RetentionSettings.from(Config.of(Map.of("retention.hourOfDay", "24"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retention.hourOfDay");
        assertThatThrownBy(() -> RetentionSettings.from(Config.of(Map.of("retention.cron", "every night"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("Quartz cron");
    }

    @Test
    void overridesAreReadPerScopeNormalisedAndCheckedFromAPropertiesFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("node.properties");
        java.nio.file.Files.writeString(file, String.join("\n",
                "retention.days = 30",
                "retention.override.domain\\:Legal.Example.COM = 365",
                "retention.override.user\\:sip\\:CEO@Example.com = 2562", ""));

        RetentionOverrides overrides = RetentionSettings.from(Config.load(file, Map.of())).overrides();

        assertThat(overrides.daysByScope()).containsOnly(
                Map.entry("domain:legal.example.com", 365), Map.entry("user:sip:CEO@example.com", 2562));
    }

    @Test
    void anUnescapedColonInAPropertiesFileIsExplained(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("node.properties");
        java.nio.file.Files.writeString(file, "retention.override.domain:example.com = 365\n");

        assertThatThrownBy(() -> RetentionSettings.from(Config.load(file, Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("\\:").hasMessageContaining("YAML");
    }

    @Test
    void badOverridesAreRefusedWithTheKey() {
        assertThatThrownBy(() -> RetentionSettings.from(Config.of(Map.of("retention.override.team:x", "5"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retention.override.team:x").hasMessageContaining("unknown scope");
        assertThatThrownBy(() -> RetentionSettings.from(Config.of(Map.of("retention.override.user:bob", "5"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not a SIP URI");
        assertThatThrownBy(() -> RetentionSettings.from(Config.of(Map.of("retention.override.domain:example.com", "0"), Map.of())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("1 to 2562");
    }
}
