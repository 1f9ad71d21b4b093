package io.archiver.cluster;

import static io.archiver.core.config.Role.NODE;

import io.archiver.cluster.failover.FailoverSettings;
import io.archiver.cluster.schedule.SchedulerOptions;
import io.archiver.core.config.Setting;
import io.archiver.core.config.SettingGroup;
import java.time.Duration;
import java.util.List;

/** The cluster's keys: the database watch and failover ({@link FailoverSettings}), the scheduler ({@link SchedulerOptions}). */
public final class ClusterKeys implements SettingGroup {

    public static final Setting<String> FAILOVER_MODE = Setting.choice("failover.mode", List.of("managed", "external"), NODE)
            .withDefault("external")
            .withDoc("external: Patroni or a cloud service fails the database over, the nodes follow db.url and record the changes; "
                    + "managed: the nodes watch the primary, promote the standby, fence an old primary (needs both servers in db.url)");
    public static final Setting<Duration> FAILOVER_CHECK_INTERVAL = Setting.duration("failover.checkInterval",
                    Duration.ofMillis(200), Duration.ofMinutes(1), NODE).withDefault(FailoverSettings.DEFAULT_CHECK_INTERVAL)
            .withDoc("how often the watcher looks at every database server");
    public static final Setting<Integer> FAILOVER_MISSES = Setting.integer("failover.misses", 1, 100, NODE)
            .withDefault(FailoverSettings.DEFAULT_MISSES)
            .withDoc("missed checks of the primary before the standby is promoted (managed)");
    public static final Setting<Duration> FAILOVER_PROBE_TIMEOUT = Setting.duration("failover.probeTimeout",
                    Duration.ofSeconds(1), Duration.ofSeconds(30), NODE).withDefault(Duration.ofSeconds(1))
            .withDoc("connect and statement time-out of one check, in whole seconds");
    public static final Setting<Boolean> FAILOVER_SYNCHRONOUS = Setting.bool("failover.synchronous", NODE).withDefault(true)
            .withDoc("managed: keep synchronous replication on while a standby streams, so an acknowledged commit is on the standby; "
                    + "without it the watcher refuses to promote");
    public static final Setting<Duration> FAILOVER_PROMOTE_TIMEOUT = Setting.duration("failover.promoteTimeout",
                    Duration.ofSeconds(1), Duration.ofHours(1), NODE).withDefault(Duration.ofSeconds(30))
            .withDoc("how long pg_promote may take");

    public static final Setting<Integer> SCHEDULER_THREADS = Setting.integer("scheduler.threads", 1, SchedulerOptions.MAX_THREADS, NODE)
            .withDefault(SchedulerOptions.DEFAULT_THREADS)
            .withDoc("worker threads of the clustered scheduler: jobs this node runs at once (the database watch holds one)");
    public static final Setting<Duration> SCHEDULER_CHECKIN_INTERVAL = Setting.duration("scheduler.checkinInterval",
                    SchedulerOptions.MIN_CHECKIN_INTERVAL, SchedulerOptions.MAX_CHECKIN_INTERVAL, NODE)
            .withDefault(SchedulerOptions.DEFAULT_CHECKIN_INTERVAL)
            .withDoc("how often the node checks in with the cluster; a node is taken for dead about this + 7.5s after its last");
    public static final Setting<Duration> SCHEDULER_MISFIRE_THRESHOLD = Setting.duration("scheduler.misfireThreshold",
                    SchedulerOptions.MIN_MISFIRE_THRESHOLD, SchedulerOptions.MAX_MISFIRE_THRESHOLD, NODE)
            .withDefault(SchedulerOptions.DEFAULT_MISFIRE_THRESHOLD)
            .withDoc("how late a trigger may be before it counts as misfired (then it fires once at once)");

    @Override
    public String area() {
        return "Archive node: cluster (failover, scheduler)";
    }

    @Override
    public int order() {
        return 30;
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(FAILOVER_MODE, FAILOVER_CHECK_INTERVAL, FAILOVER_MISSES, FAILOVER_PROBE_TIMEOUT, FAILOVER_SYNCHRONOUS,
                FAILOVER_PROMOTE_TIMEOUT, SCHEDULER_THREADS, SCHEDULER_CHECKIN_INTERVAL, SCHEDULER_MISFIRE_THRESHOLD);
    }
}
