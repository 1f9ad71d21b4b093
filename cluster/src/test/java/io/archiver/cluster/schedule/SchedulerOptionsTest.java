package io.archiver.cluster.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.archiver.core.config.Config;
import io.archiver.core.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SchedulerOptionsTest {

    @Test
    void defaults() {
        SchedulerOptions options = SchedulerOptions.from(Config.of(Map.of(), Map.of()), "node-1");
        assertThat(options).isEqualTo(new SchedulerOptions("node-1", 4, Duration.ofMillis(7500), Duration.ofSeconds(60)));
        assertThat(SchedulerOptions.defaults("node-1")).isEqualTo(options);
    }

    @Test
    void readsTheKeysAndTheEnvironment() {
        Config config = Config.of(Map.of("scheduler.threads", "5", "scheduler.checkinInterval", "2s"),
                Map.of("ARCHIVER_SCHEDULER_MISFIRE_THRESHOLD", "PT5M"));
        assertThat(SchedulerOptions.from(config, "n"))
                .isEqualTo(new SchedulerOptions("n", 5, Duration.ofSeconds(2), Duration.ofMinutes(5)));
    }

    @Test
    void outOfRangeValuesNameTheKey() {
        assertThatThrownBy(() -> SchedulerOptions.from(Config.of(Map.of("scheduler.threads", "0"), Map.of()), "n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scheduler.threads").hasMessageContaining("1 to 100");
        assertThatThrownBy(() -> SchedulerOptions.from(Config.of(Map.of("scheduler.checkinInterval", "100ms"), Map.of()), "n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("setting scheduler.checkinInterval = '100ms' is not valid: expected a duration from 500ms to 10m (default 7500ms)");
        assertThatThrownBy(() -> SchedulerOptions.from(Config.of(Map.of("scheduler.misfireThreshold", "2d"), Map.of()), "n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scheduler.misfireThreshold").hasMessageContaining("1s to 24h");
        assertThatThrownBy(() -> SchedulerOptions.from(Config.of(Map.of("scheduler.misfireThreshold", "soon"), Map.of()), "n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scheduler.misfireThreshold");
        assertThatThrownBy(() -> SchedulerOptions.from(Config.of(Map.of(), Map.of()), " "))
                .isInstanceOf(ConfigException.class).hasMessageContaining("node");
        assertThatThrownBy(() -> new SchedulerOptions("n", 3, Duration.ZERO, Duration.ofSeconds(60)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quartzPropertiesOfAClusteredJdbcStoreOnTheCallersDataSource() {
        Properties p = ArchiveScheduler.properties(new SchedulerOptions("n", 4, Duration.ofSeconds(2), Duration.ofSeconds(30)), "n-1-abc", "ds-1");
        assertThat(p)
                .containsEntry("org.quartz.scheduler.instanceName", "archiver")
                .containsEntry("org.quartz.scheduler.instanceId", "n-1-abc")
                .containsEntry("org.quartz.scheduler.skipUpdateCheck", "true")
                .containsEntry("org.quartz.threadPool.threadCount", "4")
                .containsEntry("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate")
                .containsEntry("org.quartz.jobStore.tablePrefix", "archive.qrtz_")
                .containsEntry("org.quartz.jobStore.isClustered", "true")
                .containsEntry("org.quartz.jobStore.clusterCheckinInterval", "2000")
                .containsEntry("org.quartz.jobStore.misfireThreshold", "30000")
                .containsEntry("org.quartz.jobStore.dataSource", "ds-1")
                .containsEntry("org.quartz.scheduler.idleWaitTime", "2000");
        assertThat(p.stringPropertyNames()).noneMatch(k -> k.startsWith("org.quartz.dataSource."));
    }
}
