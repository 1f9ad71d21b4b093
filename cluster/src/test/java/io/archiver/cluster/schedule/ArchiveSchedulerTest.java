package io.archiver.cluster.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.config.Config;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.quartz.CronTrigger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.InterruptableJob;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.Trigger;
import org.quartz.impl.SchedulerRepository;

/**
 * Two (or more) clustered schedulers in one JVM on a real PostgreSQL, each with a pool of its own, as
 * two archive nodes would be. Jobs write what fired into {@code public.fires}; the assertions read that
 * table.
 */
class ArchiveSchedulerTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private static final Duration FAST_CHECKIN = Duration.ofSeconds(1);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final Queue<String> problems = new ConcurrentLinkedQueue<>();
    private final List<CountDownLatch> gates = new ArrayList<>();
    private String database;
    private HikariDataSource reader;

    @BeforeEach
    void freshDatabase() throws SQLException {
        database = PG.createDatabase();
        try (HikariDataSource ds = pool("migrate"); Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            Migrations.migrate(ds);
            s.execute("CREATE TABLE public.fires (job text NOT NULL, fire_time timestamptz NOT NULL, instance text NOT NULL,"
                    + " recovering boolean NOT NULL, fired_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                    + " CONSTRAINT fires_once UNIQUE (job, fire_time, recovering))");
        }
        reader = pool("reader");
        resources.push(reader);
    }

    @AfterEach
    void closeEverything() throws Exception {
        gates.forEach(CountDownLatch::countDown);
        while (!resources.isEmpty()) {
            resources.pop().close();
        }
    }

    @Test
    void quartzTablesAreInTheArchiveSchemaInLowerCase() throws SQLException {
        try (Connection c = reader.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'archive'"
                     + " AND table_name LIKE 'qrtz%' ORDER BY 1")) {
            List<String> tables = new ArrayList<>();
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
            assertThat(tables).containsExactly("qrtz_blob_triggers", "qrtz_calendars", "qrtz_cron_triggers", "qrtz_fired_triggers",
                    "qrtz_job_details", "qrtz_locks", "qrtz_paused_trigger_grps", "qrtz_scheduler_state", "qrtz_simple_triggers",
                    "qrtz_simprop_triggers", "qrtz_triggers");
        }
    }

    /** (a) and (b): exactly one node fires each trigger; when one node closes the other goes on. */
    @Test
    void twoNodesFireEachCronTimeExactlyOnceAndTheSurvivorGoesOn() throws Exception {
        ArchiveScheduler a = node("node-a", FAST_CHECKIN, Duration.ofSeconds(5));
        ArchiveScheduler b = node("node-b", FAST_CHECKIN, Duration.ofSeconds(5));

        // Two independent schedulers of one cluster in one JVM.
        assertThat(a.instanceId()).startsWith("node-a-").isNotEqualTo(b.instanceId());
        assertThat(a.quartz()).isNotSameAs(b.quartz());
        assertThat(SchedulerRepository.getInstance().lookup(ArchiveScheduler.CLUSTER_NAME)).isNull();
        assertThat(List.of(a, b)).allSatisfy(s -> assertThat(s.quartz().getSchedulerName()).isEqualTo(ArchiveScheduler.CLUSTER_NAME));

        JobKey key = JobKey.jobKey("every-second", "test");
        a.scheduleCron(key, RecordingJob.class, "* * * * * ?", false);
        b.scheduleCron(key, RecordingJob.class, "* * * * * ?", false); // the other node at its start: no change
        sleep(Duration.ofSeconds(4));

        List<Fire> fires = fires(key);
        assertThat(fires).as("fires in 4 s").hasSizeGreaterThanOrEqualTo(3);
        assertThat(fires).extracting(Fire::instance).allMatch(i -> i.equals(a.instanceId()) || i.equals(b.instanceId()));
        assertConsecutiveSeconds(fires);
        assertThat(checkedIn()).containsExactlyInAnyOrder(a.instanceId(), b.instanceId());
        System.out.printf("fires by instance while both ran: %s%n", countByInstance(fires));

        // (b) one node stops; the other takes over at once. Close the node holding the next fire
        // (trigger acquired, waiting for its time): it hands the trigger back as it closes, else the
        // survivor would get it only after declaring the closed node dead (about 8.5 s: a gap).
        await().atMost(Duration.ofSeconds(2)).until(() -> !acquiredBy().isEmpty());
        String holder = acquiredBy().isEmpty() ? a.instanceId() : acquiredBy().get(0);
        ArchiveScheduler first = holder.equals(a.instanceId()) ? a : b;
        ArchiveScheduler survivor = first == a ? b : a;
        first.close();
        Instant closed = Instant.now();
        sleep(Duration.ofSeconds(3));

        List<Fire> after = fires(key).stream().filter(f -> f.firedAt().isAfter(closed)).toList();
        assertThat(after).as("fires after %s closed", first.instanceId()).hasSizeGreaterThanOrEqualTo(2)
                .extracting(Fire::instance).containsOnly(survivor.instanceId());
        assertConsecutiveSeconds(fires(key));
        assertThat(problems).isEmpty();
    }

    /** (c) every node down at fire time: the next node up fires it once, at once. */
    @Test
    void aMisfiredTriggerFiresOnceWhenANodeComesBack() throws Exception {
        Duration threshold = Duration.ofSeconds(1);
        JobKey key = JobKey.jobKey("nightly", "test");
        Instant fireAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(3);
        // Once a minute, at fireAt's second: nothing else fires during the test.
        String cron = fireAt.atZone(java.time.ZoneId.systemDefault()).getSecond() + " * * * * ?";

        ArchiveScheduler before = node("node-a", FAST_CHECKIN, threshold);
        before.scheduleCron(key, RecordingJob.class, cron, false);
        assertThat(((CronTrigger) trigger(before, key)).getNextFireTime().toInstant()).isEqualTo(fireAt);
        before.close();

        sleepUntil(fireAt.plus(threshold).plusMillis(1000));
        assertThat(fires(key)).as("nothing fires while every node is down").isEmpty();

        ArchiveScheduler after = node("node-b", FAST_CHECKIN, threshold);
        Instant started = Instant.now();
        after.scheduleCron(key, RecordingJob.class, cron, false); // as a node does at start: keeps the misfired trigger
        await().atMost(Duration.ofSeconds(5)).until(() -> !fires(key).isEmpty());
        sleep(Duration.ofMillis(1500));

        List<Fire> fires = fires(key);
        assertThat(fires).as("fired once, not zero or many times").hasSize(1);
        Fire fire = fires.get(0);
        assertThat(fire.instance()).isEqualTo(after.instanceId());
        assertThat(fire.recovering()).isFalse();
        // Fire-once-now: a fresh fire time on restart, not the missed one; then the cron goes on.
        assertThat(fire.fireTime()).isAfter(fireAt.plus(threshold));
        assertThat(Duration.between(started, fire.firedAt())).isLessThan(Duration.ofSeconds(3));
        assertThat(trigger(after, key).getNextFireTime().toInstant()).isEqualTo(fireAt.plus(Duration.ofMinutes(1)));
        assertThat(problems).isEmpty();
    }

    /** (d) scheduleCron is idempotent: same cron, same trigger; another cron, a new trigger. */
    @Test
    void schedulingAgainKeepsTheTriggerUnlessTheCronChanged() throws Exception {
        ArchiveScheduler node = node("node-a", FAST_CHECKIN, Duration.ofSeconds(5));
        JobKey key = JobKey.jobKey("purge", "test");
        node.scheduleCron(key, RecordingJob.class, "* * * * * ?", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> trigger(node, key).getPreviousFireTime() != null);
        Trigger original = trigger(node, key);
        // A cron trigger's start time has whole seconds: let a second pass, so a new trigger would show.
        sleepUntil(original.getStartTime().toInstant().plusMillis(1100));

        node.scheduleCron(key, RecordingJob.class, "* * * * * ?", false);
        Trigger same = trigger(node, key);
        assertThat(same.getStartTime()).isEqualTo(original.getStartTime());
        assertThat(same.getPreviousFireTime()).as("not a new trigger").isNotNull();

        node.scheduleCron(key, RecordingJob.class, "0 0 3 * * ?", true);
        Trigger changed = trigger(node, key);
        assertThat(((CronTrigger) changed).getCronExpression()).isEqualTo("0 0 3 * * ?");
        assertThat(changed.getStartTime()).isAfter(original.getStartTime());
        assertThat(changed.getPreviousFireTime()).as("a new trigger").isNull();
        assertThat(changed.getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
        assertThat(node.quartz().getJobDetail(key).requestsRecovery()).isTrue();
        assertThat(node.quartz().getJobDetail(key).isDurable()).isTrue();

        assertThat(node.jobs()).singleElement().satisfies(job -> {
            assertThat(job.name()).isEqualTo("purge");
            assertThat(job.group()).isEqualTo("test");
            assertThat(job.cron()).isEqualTo("0 0 3 * * ?");
            assertThat(job.nextFireTime()).isEqualTo(changed.getNextFireTime().toInstant());
            assertThat(job.previousFireTime()).isNull();
            assertThat(job.state()).isEqualTo("NORMAL");
        });

        node.unschedule(key);
        node.unschedule(key);
        assertThat(node.jobs()).isEmpty();
        assertThat(node.quartz().checkExists(key)).isFalse();
        assertThatThrownBy(() -> node.scheduleCron(key, RecordingJob.class, "every night", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cron");
    }

    /**
     * (e) a node dies while running a job that requests recovery: another node runs it again with
     * {@code isRecovering()}. The death is {@code shutdown(false)} of Quartz: its check-ins stop and
     * its running job's fired-trigger row stays in the database (the job thread is left blocked, and
     * the job store refuses it connections afterwards), as with a killed process.
     */
    @Test
    void aJobOfADeadNodeIsRecoveredByAnother() throws Exception {
        JobKey key = JobKey.jobKey("recoverable", "test");
        ArchiveScheduler a = node("node-a", FAST_CHECKIN, Duration.ofSeconds(5));
        // Never opened: the dead node's job thread stays blocked (a daemon thread); released, it would
        // only log that its job store is shut down.
        CountDownLatch neverOpens = new CountDownLatch(1);
        CountDownLatch aStarted = new CountDownLatch(1);
        a.putService("gate", neverOpens);
        a.putService("started", aStarted);
        // One fire only, two seconds ahead (with a year: the cron fires once).
        Instant fireAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
        java.time.ZonedDateTime at = fireAt.atZone(java.time.ZoneId.systemDefault());
        a.scheduleCron(key, BlockingJob.class, String.format("%d %d %d %d %d ? %d", at.getSecond(), at.getMinute(), at.getHour(),
                at.getDayOfMonth(), at.getMonthValue(), at.getYear()), true);
        assertThat(aStarted.await(10, TimeUnit.SECONDS)).as("the job started on node A").isTrue();

        a.quartz().shutdown(false); // node A "dies": no more check-ins, the job's fired trigger stays
        Instant died = Instant.now();
        assertThat(firedTriggerStates()).containsEntry(a.instanceId(), "EXECUTING");

        ArchiveScheduler b = node("node-b", FAST_CHECKIN, Duration.ofSeconds(5));
        b.putService("gate", new CountDownLatch(0));
        b.putService("started", new CountDownLatch(1));
        await().atMost(Duration.ofSeconds(20)).until(() -> fires(key).stream().anyMatch(Fire::recovering));
        System.out.printf("node B recovered node A's job %d ms after A died%n", Duration.between(died, Instant.now()).toMillis());
        sleep(Duration.ofMillis(500));

        List<Fire> fires = fires(key);
        assertThat(fires).hasSize(2);
        assertThat(fires.get(0)).satisfies(f -> {
            assertThat(f.instance()).isEqualTo(a.instanceId());
            assertThat(f.recovering()).isFalse();
            assertThat(f.fireTime()).isEqualTo(fireAt);
        });
        assertThat(fires.get(1)).satisfies(f -> {
            assertThat(f.instance()).isEqualTo(b.instanceId());
            assertThat(f.recovering()).isTrue();
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> firedTriggerStates().isEmpty());
        assertThat(checkedIn()).containsExactly(b.instanceId());
        assertThat(problems).isEmpty();
    }

    /** close(): running InterruptableJobs are interrupted, then it waits for them to return. */
    @Test
    void closeInterruptsRunningJobsAndWaitsForThem() throws Exception {
        ArchiveScheduler node = node("node-a", FAST_CHECKIN, Duration.ofSeconds(5));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch neverOpens = new CountDownLatch(1);
        gates.add(neverOpens);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean returned = new AtomicBoolean();
        node.putService("started", started);
        node.putService("gate", neverOpens);
        node.putService("interrupted", interrupted);
        node.putService("returned", returned);
        node.scheduleCron(JobKey.jobKey("long", "test"), InterruptibleJob.class, "* * * * * ?", true);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        assertTimeoutPreemptively(Duration.ofSeconds(10), node::close);
        assertThat(interrupted).isTrue();
        assertThat(returned).as("close() waited for the job to return").isTrue();
        assertThat(node.quartz().isShutdown()).isTrue();
        node.close(); // idempotent
    }

    @Test
    void aMissingServiceIsAClearError() throws Exception {
        ArchiveScheduler node = node("node-a", FAST_CHECKIN, Duration.ofSeconds(5));
        assertThatThrownBy(() -> node.putService("x", null)).isInstanceOf(NullPointerException.class);
        node.putService("number", 42);
        node.scheduleCron(JobKey.jobKey("lookup", "test"), ServiceLookupJob.class, "* * * * * ?", false);
        await().atMost(Duration.ofSeconds(5)).until(() -> problems.size() >= 1);
        assertThat(problems.peek()).contains("service 'number' is a java.lang.Integer, not a java.lang.String");
    }

    @Test
    void instanceIdsAreUniqueAndFitQuartzsColumns() {
        String id = ArchiveScheduler.newInstanceId("x".repeat(300));
        assertThat(id).hasSizeLessThanOrEqualTo(80);
        assertThat(ArchiveScheduler.newInstanceId("node a")).startsWith("node_a-" + ProcessHandle.current().pid() + "-")
                .isNotEqualTo(ArchiveScheduler.newInstanceId("node a"));
    }

    // ---- jobs ---------------------------------------------------------------------------------

    /** Records its scheduled fire time; a second fire of the same time breaks the unique constraint. */
    @DisallowConcurrentExecution
    public static class RecordingJob implements Job {
        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            recordFire(context);
        }
    }

    /** Records, then waits on the node's "gate" latch. */
    @DisallowConcurrentExecution
    public static class BlockingJob implements Job {
        @Override
        public void execute(JobExecutionContext context) throws JobExecutionException {
            recordFire(context);
            ArchiveScheduler.service(context, "started", CountDownLatch.class).countDown();
            try {
                ArchiveScheduler.service(context, "gate", CountDownLatch.class).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @DisallowConcurrentExecution
    public static class InterruptibleJob implements InterruptableJob {
        private volatile Thread runner;
        private volatile JobExecutionContext context;

        @Override
        public void execute(JobExecutionContext context) {
            this.context = context;
            runner = Thread.currentThread();
            ArchiveScheduler.service(context, "started", CountDownLatch.class).countDown();
            try {
                ArchiveScheduler.service(context, "gate", CountDownLatch.class).await();
            } catch (InterruptedException e) {
                ArchiveScheduler.service(context, "interrupted", AtomicBoolean.class).set(true);
            }
            sleep(Duration.ofMillis(300)); // some clean-up after the interrupt: close() must wait for it
            ArchiveScheduler.service(context, "returned", AtomicBoolean.class).set(true);
        }

        @Override
        public void interrupt() {
            Thread thread = runner;
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    @DisallowConcurrentExecution
    public static class ServiceLookupJob implements Job {
        @Override
        @SuppressWarnings("unchecked")
        public void execute(JobExecutionContext context) {
            Queue<String> problems = ArchiveScheduler.service(context, "problems", Queue.class);
            try {
                ArchiveScheduler.service(context, "number", String.class);
                problems.add("no error");
            } catch (IllegalStateException e) {
                problems.add(e.getMessage());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void recordFire(JobExecutionContext context) throws JobExecutionException {
        DataSource ds = ArchiveScheduler.service(context, "dataSource", DataSource.class);
        Queue<String> problems = ArchiveScheduler.service(context, "problems", Queue.class);
        try (Connection c = ds.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO public.fires (job, fire_time, instance, recovering) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, context.getJobDetail().getKey().toString());
            insert.setTimestamp(2, new Timestamp(context.getScheduledFireTime().getTime()));
            insert.setString(3, context.getScheduler().getSchedulerInstanceId());
            insert.setBoolean(4, context.isRecovering());
            insert.executeUpdate();
        } catch (Exception e) {
            problems.add(context.getJobDetail().getKey() + " at " + context.getScheduledFireTime().toInstant() + ": " + e.getMessage());
            throw new JobExecutionException(e);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    record Fire(String instance, Instant fireTime, boolean recovering, Instant firedAt) {
    }

    private HikariDataSource pool(String name) {
        Map<String, String> settings = new LinkedHashMap<>(PG.settings(database));
        settings.put("db.poolSize", "6");
        return Database.open(Config.of(settings, Map.of()), name);
    }

    /** A node: its own pool and scheduler, closed after the test (scheduler first). */
    private ArchiveScheduler node(String name, Duration checkin, Duration misfireThreshold) {
        HikariDataSource ds = pool(name);
        resources.push(ds);
        ArchiveScheduler scheduler = ArchiveScheduler.start(ds, new SchedulerOptions(name, 2, checkin, misfireThreshold));
        resources.push(scheduler);
        scheduler.putService("dataSource", ds);
        scheduler.putService("problems", problems);
        return scheduler;
    }

    private static Trigger trigger(ArchiveScheduler scheduler, JobKey key) throws Exception {
        return scheduler.quartz().getTrigger(ArchiveScheduler.triggerKey(key));
    }

    private List<Fire> fires(JobKey key) throws SQLException {
        try (Connection c = reader.getConnection();
             PreparedStatement select = c.prepareStatement(
                     "SELECT instance, fire_time, recovering, fired_at FROM public.fires WHERE job = ? ORDER BY fired_at")) {
            select.setString(1, key.toString());
            List<Fire> fires = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    fires.add(new Fire(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getBoolean(3), rs.getTimestamp(4).toInstant()));
                }
            }
            return fires;
        }
    }

    /** Instances with a row in qrtz_scheduler_state checked in within the last 3 s. */
    private List<String> checkedIn() throws SQLException {
        return strings("SELECT instance_name FROM archive.qrtz_scheduler_state WHERE sched_name = 'archiver'"
                + " AND last_checkin_time > (extract(epoch FROM clock_timestamp()) * 1000)::bigint - 3000");
    }

    /** Instances that have acquired a trigger they have not fired yet. */
    private List<String> acquiredBy() throws SQLException {
        return strings("SELECT instance_name FROM archive.qrtz_fired_triggers WHERE state = 'ACQUIRED'");
    }

    private Map<String, String> firedTriggerStates() throws SQLException {
        Map<String, String> states = new LinkedHashMap<>();
        for (String row : strings("SELECT instance_name || '=' || state FROM archive.qrtz_fired_triggers WHERE state <> 'ACQUIRED'")) {
            states.put(row.substring(0, row.lastIndexOf('=')), row.substring(row.lastIndexOf('=') + 1));
        }
        return states;
    }

    private List<String> strings(String sql) throws SQLException {
        try (Connection c = reader.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }

    private static void assertConsecutiveSeconds(List<Fire> fires) {
        List<Instant> times = fires.stream().map(Fire::fireTime).sorted().toList();
        assertThat(times).as("one fire per second, none twice").doesNotHaveDuplicates();
        for (int i = 1; i < times.size(); i++) {
            assertThat(Duration.between(times.get(i - 1), times.get(i))).as("fire times %s", times).isEqualTo(Duration.ofSeconds(1));
        }
    }

    private static Map<String, Long> countByInstance(List<Fire> fires) {
        Map<String, Long> counts = new LinkedHashMap<>();
        fires.forEach(f -> counts.merge(f.instance(), 1L, Long::sum));
        return counts;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepUntil(Instant instant) {
        Duration left = Duration.between(Instant.now(), instant);
        if (!left.isNegative()) {
            sleep(left);
        }
    }
}
