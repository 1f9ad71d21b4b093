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
        assertThat(settings).isEqualTo(new RetentionSettings(true, 60, "0 0 2 * * ?", false));
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
}
