package io.archiver.cluster.schedule;

import com.zaxxer.hikari.HikariDataSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.InterruptableJob;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.SchedulerContext;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.JobPersistenceException;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.jdbcjobstore.FiredTriggerRecord;
import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive nodes' clustered Quartz scheduler: a JDBC job store ({@code JobStoreTX},
 * {@code PostgreSQLDelegate}) in the archive database's {@code archive.qrtz_*} tables (Flyway
 * migration {@code V3__quartz_tables.sql}), clustered under the instance name {@value #CLUSTER_NAME}.
 * Every node of the cluster starts one; together they give:
 *
 * <ul>
 *   <li><b>exactly one node fires each trigger</b>: triggers are acquired under a row lock of
 *       {@code archive.qrtz_locks};</li>
 *   <li><b>recovery</b>: a node that stops checking in (dead, cut off) is noticed by another about
 *       {@code checkinInterval + 7.5 s} after its last check-in; the jobs it was running that
 *       {@linkplain #scheduleCron request recovery} are run again on the survivor, with
 *       {@link JobExecutionContext#isRecovering()} true;</li>
 *   <li><b>misfires</b>: a trigger that could not fire in time (every node down at 02:00) is fired once
 *       as soon as a node is up again ({@code withMisfireHandlingInstructionFireAndProceed}), then
 *       keeps its schedule.</li>
 * </ul>
 *
 * <p><b>Writing jobs.</b> A job class needs a public no-argument constructor (Quartz's
 * {@code SimpleJobFactory} creates a new instance per run; nothing is injected) and should be
 * annotated {@link DisallowConcurrentExecution @DisallowConcurrentExecution}: then a run that lasts
 * longer than the cron period is not started a second time, on this or any other node, and a late
 * trigger waits (state {@code BLOCKED}). Jobs get their collaborators (DataSource, services) with
 * {@link #service(JobExecutionContext, String, Class)}, registered per node by {@link #putService}.
 * A long job should implement {@link InterruptableJob}: {@link #close()} interrupts it. A job that
 * requests recovery must be safe to run again from the start (idempotent), since a recovered run
 * cannot know how far the dead node got.
 *
 * <p><b>The database connection.</b> Quartz uses the {@link DataSource} handed in (not a pool of its
 * own); it takes a connection per job-store transaction and gives it back at once. Quartz recommends
 * a pool of at least {@code threads + 3} connections: the scheduler thread, the misfire scanner and the
 * cluster check-in run besides the workers (whose jobs may want connections of their own). The caller
 * owns the DataSource and closes it after {@link #close()}.
 *
 * <p><b>Several schedulers in one JVM</b> (tests, the lab): each gets its own
 * {@link StdSchedulerFactory} configured from a {@link Properties} object (never
 * {@code quartz.properties}), its own instance id and its own name in Quartz's
 * {@link DBConnectionManager}. They must all be called {@value #CLUSTER_NAME}, as clustering keys the
 * database rows by the instance name, while Quartz's JVM-wide {@link SchedulerRepository} also keys by
 * that name and would hand the first scheduler back instead of building a second. So each scheduler is
 * taken out of the repository right after it is built (under a lock, see {@link #start}). Nothing in
 * Quartz's scheduling needs the repository: it serves {@code StdSchedulerFactory.getScheduler()}
 * look-ups, RMI and JMX, none of which the archiver uses.
 */
public final class ArchiveScheduler implements AutoCloseable {

    /** The Quartz instance name: the cluster's name, the same on every node ({@code sched_name} in the tables). */
    public static final String CLUSTER_NAME = "archiver";
    /** Quartz's table prefix: the tables are {@code archive.qrtz_*}. */
    public static final String TABLE_PREFIX = "archive.qrtz_";
    /** How long {@link #close()} waits for running jobs (interrupted) before it stops without them. */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(15);
    /** How long {@link #service} waits for a service a job needs before the node has put it. */
    static final int SERVICE_WAIT_SECONDS = 30;

    /** Quartz stores fired-trigger ids as instance id + a 13-digit counter in a varchar(95). */
    private static final int MAX_INSTANCE_ID_LENGTH = 80;
    private static final String SELF_KEY = ArchiveScheduler.class.getName();
    private static final Object CREATION_LOCK = new Object();
    private static final AtomicLong CONNECTION_PROVIDERS = new AtomicLong();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger log = LoggerFactory.getLogger(ArchiveScheduler.class);

    private final Scheduler scheduler;
    private final String instanceId;
    private final TimeZone timeZone;
    private final Map<String, Object> services = new HashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ArchiveScheduler(Scheduler scheduler, String instanceId, TimeZone timeZone) {
        this.scheduler = scheduler;
        this.instanceId = instanceId;
        this.timeZone = timeZone;
    }

    /**
     * Builds and starts this node's scheduler on {@code dataSource} (a pool of the archive database,
     * migrated). Starting does not need the database to be up: Quartz retries its check-in.
     *
     * @throws IllegalStateException when Quartz cannot be set up
     */
    public static ArchiveScheduler start(DataSource dataSource, SchedulerOptions options) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(options, "options");
        String instanceId = newInstanceId(options.nodeName());
        // A name of our own in Quartz's JVM-wide DBConnectionManager: org.quartz.jobStore.dataSource
        // points at it, and no org.quartz.dataSource.* properties are given, so StdSchedulerFactory
        // creates no pool and the job store asks the manager for this provider's connections.
        String providerName = "archiver-scheduler-" + CONNECTION_PROVIDERS.incrementAndGet() + "-" + instanceId;
        CallerDataSourceProvider provider = new CallerDataSourceProvider(dataSource);
        DBConnectionManager.getInstance().addConnectionProvider(providerName, provider);
        warnIfPoolIsSmall(dataSource, options);

        Scheduler scheduler;
        synchronized (CREATION_LOCK) {
            try {
                scheduler = new StdSchedulerFactory(properties(options, instanceId, providerName)).getScheduler();
            } catch (SchedulerException e) {
                provider.shutdown();
                throw new IllegalStateException("cannot set up the Quartz scheduler " + instanceId + ": " + e.getMessage(), e);
            } finally {
                // getScheduler() bound the new scheduler in SchedulerRepository under CLUSTER_NAME; unbind it
                // so that the next start() in this JVM builds a scheduler of its own (see the class comment).
                // The lock keeps two start() calls from meeting between bind and remove.
                SchedulerRepository.getInstance().remove(CLUSTER_NAME);
            }
        }
        try {
            if (!instanceId.equals(scheduler.getSchedulerInstanceId())) {
                // Only if something else in this JVM bound a scheduler called "archiver" in between.
                throw new IllegalStateException("Quartz returned another scheduler (" + scheduler.getSchedulerInstanceId()
                        + ") instead of building " + instanceId + ": is a scheduler named " + CLUSTER_NAME + " created elsewhere?");
            }
            ArchiveScheduler archiveScheduler = new ArchiveScheduler(scheduler, instanceId, TimeZone.getDefault());
            scheduler.getContext().put(SELF_KEY, archiveScheduler);
            scheduler.start();
            log.info("Quartz scheduler {} started (cluster {}, {} thread(s), check-in every {} ms, misfire threshold {} ms)",
                    instanceId, CLUSTER_NAME, options.threads(), options.checkinInterval().toMillis(), options.misfireThreshold().toMillis());
            return archiveScheduler;
        } catch (SchedulerException | RuntimeException e) {
            try {
                scheduler.shutdown(false);
            } catch (SchedulerException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("cannot start the Quartz scheduler " + instanceId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@code service} available to this node's jobs under {@code key} (in the Quartz
     * {@link SchedulerContext}, which is per node and never stored in the database). Put services
     * right after {@link #start}; a job that runs before (a misfire or a recovery at start-up) waits
     * for them up to {@value #SERVICE_WAIT_SECONDS} s.
     */
    public void putService(String key, Object service) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(service, "service");
        if (key.equals(SELF_KEY)) {
            throw new IllegalArgumentException("the key " + key + " is reserved");
        }
        try {
            scheduler.getContext().put(key, service);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot reach the scheduler context of " + instanceId + ": " + e.getMessage(), e);
        }
        synchronized (services) {
            services.put(key, service);
            services.notifyAll();
        }
    }

    /**
     * The service a job's node registered under {@code key} with {@link #putService}.
     *
     * @throws IllegalStateException when there is none (after waiting for it, see {@link #putService}),
     *                               or it is not a {@code type}
     */
    public static <T> T service(JobExecutionContext context, String key, Class<T> type) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        SchedulerContext schedulerContext;
        try {
            schedulerContext = context.getScheduler().getContext();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot reach the scheduler context: " + e.getMessage(), e);
        }
        Object owner = schedulerContext.get(SELF_KEY);
        Object value = owner instanceof ArchiveScheduler archiveScheduler
                ? archiveScheduler.awaitService(key, Duration.ofSeconds(SERVICE_WAIT_SECONDS))
                : schedulerContext.get(key);
        if (value == null) {
            throw new IllegalStateException("no service '" + key + "' for job " + context.getJobDetail().getKey()
                    + ": the node must call ArchiveScheduler.putService(\"" + key + "\", ...) after starting the scheduler");
        }
        if (!type.isInstance(value)) {
            throw new IllegalStateException("service '" + key + "' is a " + value.getClass().getName() + ", not a " + type.getName());
        }
        return type.cast(value);
    }

    private Object awaitService(String key, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (services) {
            while (true) {
                Object value = services.get(key);
                long left = deadline - System.nanoTime();
                if (value != null || left <= 0 || closed.get()) {
                    return value;
                }
                try {
                    services.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    /**
     * Makes sure {@code job} runs on {@code cron} (a Quartz cron expression, in this JVM's default
     * time zone) somewhere in the cluster. The job class should be annotated
     * {@link DisallowConcurrentExecution @DisallowConcurrentExecution} (a warning is logged when it is
     * not), have a public no-argument constructor and be on every node's class path. Idempotent, meant to be called by every node at every
     * start with its configured schedule:
     *
     * <ul>
     *   <li>the job is stored durably under {@code key} (kept without a trigger), replaced only when
     *       its class or {@code requestsRecovery} changed;</li>
     *   <li>its trigger, with the same name and group as the job, is created when missing, replaced
     *       when its cron expression or time zone differs, and <em>left alone</em> when they are the
     *       same, so a restart keeps its fire times and a pending misfire (all nodes were down at fire
     *       time: it fires once at once, then keeps the schedule);</li>
     *   <li>{@code requestsRecovery}: when the node running it dies, another node runs it again.</li>
     * </ul>
     *
     * Two nodes calling it at once with different crons: the last one wins.
     *
     * @throws IllegalArgumentException when {@code cron} is not a valid Quartz cron expression or never fires
     * @throws IllegalStateException    when the job store fails (database unreachable)
     */
    public void scheduleCron(JobKey key, Class<? extends Job> job, String cron, boolean requestsRecovery) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(cron, "cron");
        if (!CronExpression.isValidExpression(cron)) {
            throw new IllegalArgumentException("'" + cron + "' is not a valid Quartz cron expression"
                    + " (seconds minutes hours day-of-month month day-of-week [year]), e.g. 0 0 2 * * ?");
        }
        JobDetail detail = JobBuilder.newJob(job).withIdentity(key).storeDurably().requestRecovery(requestsRecovery).build();
        if (!detail.isConcurrentExecutionDisallowed()) {
            log.warn("job class {} is not annotated @DisallowConcurrentExecution: a run may overlap the next one", job.getName());
        }
        TriggerKey triggerKey = triggerKey(key);
        CronTrigger wanted = TriggerBuilder.newTrigger()
                .withIdentity(triggerKey)
                .forJob(key)
                .withSchedule(CronScheduleBuilder.cronSchedule(cron).inTimeZone(timeZone).withMisfireHandlingInstructionFireAndProceed())
                .build();
        try {
            // Another node may store or remove the trigger between our look-up and our change: look again.
            for (int attempt = 1; attempt <= 5; attempt++) {
                try {
                    JobDetail existingJob = scheduler.getJobDetail(key);
                    if (existingJob == null || !sameJob(existingJob, detail)) {
                        scheduler.addJob(detail, true);
                    }
                    Trigger existing = scheduler.getTrigger(triggerKey);
                    if (existing == null) {
                        Date first = scheduler.scheduleJob(wanted);
                        log.info("scheduled job {} on cron '{}' ({}), first fire at {}", key, cron, timeZone.getID(), first.toInstant());
                    } else if (sameSchedule(existing, wanted)) {
                        if (scheduler.getTriggerState(triggerKey) == Trigger.TriggerState.ERROR) {
                            scheduler.resetTriggerFromErrorState(triggerKey);
                            log.warn("job {}: its trigger was in state ERROR (job class not loadable?); reset", key);
                        }
                        log.debug("job {} already scheduled on cron '{}', next fire at {}", key, cron, existing.getNextFireTime());
                    } else {
                        Date first = scheduler.rescheduleJob(triggerKey, wanted);
                        if (first == null) {
                            continue; // removed meanwhile (unschedule on another node): look again
                        }
                        log.info("rescheduled job {} from cron '{}' to '{}' ({}), next fire at {}", key,
                                existing instanceof CronTrigger c ? c.getCronExpression() : existing, cron, timeZone.getID(),
                                first.toInstant());
                    }
                    return;
                } catch (ObjectAlreadyExistsException e) {
                    log.debug("job {}: trigger stored concurrently by another node, looking again", key);
                }
            }
            throw new IllegalStateException("cannot schedule job " + key + ": its trigger kept changing under concurrent updates");
        } catch (SchedulerException e) {
            if (e.getMessage() != null && e.getMessage().contains("will never fire")) {
                throw new IllegalArgumentException("cron '" + cron + "' of job " + key + " never fires again", e);
            }
            throw new IllegalStateException("cannot schedule job " + key + " on cron '" + cron + "': " + e.getMessage(), e);
        }
    }

    /**
     * Makes sure {@code job} fires every {@code interval} somewhere in the cluster, as {@link #scheduleCron}
     * does for a cron (same idempotence and recovery). Missed firings are skipped, not caught up: a job
     * that runs longer than the interval ({@code @DisallowConcurrentExecution}, trigger {@code BLOCKED})
     * fires next at the first interval boundary after it ends.
     */
    public void scheduleRepeating(JobKey key, Class<? extends Job> job, Duration interval, boolean requestsRecovery) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(job, "job");
        if (interval.toMillis() < 1000) {
            throw new IllegalArgumentException("a repeating job's interval must be at least 1s, not " + interval);
        }
        JobDetail detail = JobBuilder.newJob(job).withIdentity(key).storeDurably().requestRecovery(requestsRecovery).build();
        TriggerKey triggerKey = triggerKey(key);
        Trigger wanted = TriggerBuilder.newTrigger()
                .withIdentity(triggerKey)
                .forJob(key)
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(interval.toMillis())
                        .repeatForever().withMisfireHandlingInstructionNextWithRemainingCount())
                .build();
        try {
            JobDetail existingJob = scheduler.getJobDetail(key);
            if (existingJob == null || !sameJob(existingJob, detail)) {
                scheduler.addJob(detail, true);
            }
            Trigger existing = scheduler.getTrigger(triggerKey);
            if (existing instanceof SimpleTrigger simple && simple.getRepeatInterval() == interval.toMillis()) {
                if (scheduler.getTriggerState(triggerKey) == Trigger.TriggerState.ERROR) {
                    scheduler.resetTriggerFromErrorState(triggerKey);
                }
                return;
            }
            if (existing == null) {
                try {
                    scheduler.scheduleJob(wanted);
                } catch (ObjectAlreadyExistsException e) {
                    return; // another node stored it meanwhile, with the same interval
                }
            } else {
                scheduler.rescheduleJob(triggerKey, wanted);
            }
            log.info("scheduled job {} every {}", key, interval);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot schedule job " + key + " every " + interval + ": " + e.getMessage(), e);
        }
    }

    /** Removes the job and its trigger(s) from the cluster, if present (a run in progress finishes). */
    public void unschedule(JobKey key) {
        Objects.requireNonNull(key, "key");
        try {
            if (scheduler.deleteJob(key)) {
                log.info("unscheduled job {}", key);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot unschedule job " + key + ": " + e.getMessage(), e);
        }
    }

    /** The cluster's jobs, by group and name, with their (cron) trigger; read from the database. */
    public List<ScheduledJob> jobs() {
        try {
            List<ScheduledJob> jobs = new ArrayList<>();
            for (String group : scheduler.getJobGroupNames()) {
                for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(group))) {
                    jobs.add(describe(key));
                }
            }
            jobs.sort(Comparator.comparing(ScheduledJob::group).thenComparing(ScheduledJob::name));
            return jobs;
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot list the scheduled jobs: " + e.getMessage(), e);
        }
    }

    private ScheduledJob describe(JobKey key) throws SchedulerException {
        List<Trigger> triggers = new ArrayList<>(scheduler.getTriggersOfJob(key));
        TriggerKey main = triggerKey(key);
        // Its own trigger; a job that only has a recovery trigger (group RECOVERING_JOBS) shows that one.
        Trigger trigger = triggers.stream().filter(t -> t.getKey().equals(main)).findFirst()
                .orElse(triggers.isEmpty() ? null : triggers.get(0));
        if (trigger == null) {
            return new ScheduledJob(key.getName(), key.getGroup(), null, null, null, Trigger.TriggerState.NONE.name());
        }
        return new ScheduledJob(key.getName(), key.getGroup(),
                trigger instanceof CronTrigger cronTrigger ? cronTrigger.getCronExpression() : null,
                instant(trigger.getNextFireTime()), instant(trigger.getPreviousFireTime()),
                scheduler.getTriggerState(trigger.getKey()).name());
    }

    /** This node's Quartz instance id: the node name, the process id and a random part. */
    public String instanceId() {
        return instanceId;
    }

    /** The Quartz scheduler itself, for what this class does not offer. */
    public Scheduler quartz() {
        return scheduler;
    }

    /**
     * Stops this node's scheduler: no new runs start here, running {@link InterruptableJob}s are
     * interrupted, then it waits for running jobs to return ({@code shutdown(true)}; at most
     * {@link #SHUTDOWN_WAIT} when the database does not answer, see the method body). The other nodes
     * go on firing. An interrupted run has ended, so it is not recovered elsewhere; the job runs again
     * at its next fire time. Idempotent. Does not close the DataSource.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (services) {
            services.notifyAll();
        }
        // org.quartz.scheduler.interruptJobsOnShutdownWithWait=true: Quartz puts the scheduler in
        // standby, stops its trigger acquisition, interrupts the running InterruptableJobs and then
        // waits for the worker threads; interrupting before the standby could miss a job starting.
        Thread stopper = new Thread(() -> {
            try {
                scheduler.shutdown(true);
            } catch (SchedulerException e) {
                log.warn("stopping the Quartz scheduler {} failed: {}", instanceId, e.getMessage(), e);
            }
        }, "quartz-" + instanceId + "-stop");
        stopper.start();
        try {
            stopper.join(SHUTDOWN_WAIT.toMillis());
            if (stopper.isAlive()) {
                // A job that ended must still record its completion in the job store, and Quartz retries
                // that for as long as its job store is not shut down, which it is only after the jobs are
                // done: with the database unreachable (a failover under way) the stop would never end.
                log.warn("Quartz scheduler {}: jobs not done {} after the stop (database unreachable?); stopping "
                        + "without recording their completion (the cluster recovers them)", instanceId, SHUTDOWN_WAIT);
                ReleasingJobStore store = ReleasingJobStore.INSTANCES.get(instanceId);
                if (store != null) {
                    store.shutdown();
                }
                stopper.join(SHUTDOWN_WAIT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ReleasingJobStore.INSTANCES.remove(instanceId);
        log.info("Quartz scheduler {} stopped", instanceId);
    }

    static TriggerKey triggerKey(JobKey key) {
        return TriggerKey.triggerKey(key.getName(), key.getGroup());
    }

    private static boolean sameJob(JobDetail existing, JobDetail wanted) {
        return existing.getJobClass().equals(wanted.getJobClass())
                && existing.isDurable() == wanted.isDurable()
                && existing.requestsRecovery() == wanted.requestsRecovery();
    }

    private static boolean sameSchedule(Trigger existing, CronTrigger wanted) {
        return existing instanceof CronTrigger cron
                && cron.getCronExpression().equals(wanted.getCronExpression())
                && cron.getTimeZone().getID().equals(wanted.getTimeZone().getID())
                && cron.getMisfireInstruction() == wanted.getMisfireInstruction()
                && cron.getJobKey().equals(wanted.getJobKey());
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }

    static Properties properties(SchedulerOptions options, String instanceId, String dataSourceName) {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", CLUSTER_NAME);
        p.setProperty("org.quartz.scheduler.instanceId", instanceId);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.threadName", "quartz-" + instanceId);
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        // How long an idle scheduler thread sleeps before looking for due triggers again (Quartz: 30 s).
        // Signals wake it on this node's own changes only, so it also bounds how fast a node takes a
        // trigger released or rescheduled by another node: the check-in interval, the cluster's
        // reaction time anyway (Quartz's minimum is 1 s).
        p.setProperty("org.quartz.scheduler.idleWaitTime", Long.toString(idleWaitMillis(options)));
        p.setProperty("org.quartz.scheduler.interruptJobsOnShutdownWithWait", "true");
        // No bean-property injection from the SchedulerContext into jobs: jobs call service().
        p.setProperty("org.quartz.scheduler.jobFactory.class", "org.quartz.simpl.SimpleJobFactory");
        p.setProperty("org.quartz.scheduler.jmx.export", "false");
        p.setProperty("org.quartz.scheduler.rmi.export", "false");
        p.setProperty("org.quartz.scheduler.rmi.proxy", "false");

        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(options.threads()));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "quartz-" + instanceId + "-worker");
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");

        p.setProperty("org.quartz.jobStore.class", ReleasingJobStore.class.getName());
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.tablePrefix", TABLE_PREFIX);
        p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(options.checkinInterval().toMillis()));
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(options.misfireThreshold().toMillis()));
        // Job data as strings, never Java-serialized objects in the database.
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        // Acquire triggers under the TRIGGER_ACCESS row lock (recommended for clusters).
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        p.setProperty("org.quartz.jobStore.makeThreadsDaemons", "true");
        // After a database outage (a failover) retry the job store every 2 s, not Quartz's 15 s.
        p.setProperty("org.quartz.jobStore.dbRetryInterval", "2000");
        return p;
    }

    static long idleWaitMillis(SchedulerOptions options) {
        return Math.max(1_000, Math.min(30_000, options.checkinInterval().toMillis()));
    }

    static String newInstanceId(String nodeName) {
        String suffix = "-" + ProcessHandle.current().pid() + "-" + String.format("%08x", RANDOM.nextInt());
        String node = nodeName.strip().replaceAll("\\s+", "_");
        int room = MAX_INSTANCE_ID_LENGTH - suffix.length();
        return (node.length() > room ? node.substring(0, room) : node) + suffix;
    }

    private static void warnIfPoolIsSmall(DataSource dataSource, SchedulerOptions options) {
        if (dataSource instanceof HikariDataSource hikari && hikari.getMaximumPoolSize() < options.threads() + 3) {
            log.warn("the scheduler's connection pool {} has {} connection(s); Quartz recommends at least threads + 3 = {}",
                    hikari.getPoolName(), hikari.getMaximumPoolSize(), options.threads() + 3);
        }
    }

    /**
     * Quartz's {@link JobStoreTX}, plus: at shutdown, the triggers this instance has acquired but not
     * fired yet are handed back to the cluster. Quartz's scheduler thread acquires a trigger ahead of
     * its fire time (up to the idle wait) and usually releases it when put in standby; but when the
     * shutdown lands while it is acquiring (or within 70 ms of the fire time) it stops with the trigger
     * still acquired, and another node can fire it only after declaring this one dead
     * ({@code checkinInterval + 7.5 s} later): a clean restart would delay or skip (misfire) a run.
     * The two-node test saw this in about half of its runs without this class. It does what Quartz's
     * own {@code releaseAcquiredTrigger} does, under the same {@code TRIGGER_ACCESS} lock. Runs in
     * progress are untouched: after {@code shutdown(true)} there are none, after {@code shutdown(false)}
     * their fired-trigger rows stay, to be recovered. Public only for Quartz to instantiate it.
     */
    @SuppressWarnings("unchecked") // JobStoreTX overrides the generic executeInLock with a raw type
    public static final class ReleasingJobStore extends JobStoreTX {

        private static final Logger storeLog = LoggerFactory.getLogger(ReleasingJobStore.class);
        /** By instance id, so that {@link ArchiveScheduler#close()} can end a stop stuck on an unreachable database. */
        static final Map<String, ReleasingJobStore> INSTANCES = new java.util.concurrent.ConcurrentHashMap<>();

        private volatile boolean started;
        private final AtomicBoolean stopped = new AtomicBoolean();

        @Override
        public void schedulerStarted() throws SchedulerException {
            super.schedulerStarted();
            started = true;
            INSTANCES.put(getInstanceId(), this);
        }

        @Override
        public void shutdown() {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            if (isClustered() && started) {
                try {
                    int released = executeInNonManagedTXLock(LOCK_TRIGGER_ACCESS, connection -> {
                        int count = 0;
                        try {
                            for (FiredTriggerRecord fired : getDelegate().selectInstancesFiredTriggerRecords(connection, getInstanceId())) {
                                if (STATE_ACQUIRED.equals(fired.getFireInstanceState())) {
                                    getDelegate().updateTriggerStateFromOtherState(connection, fired.getTriggerKey(), STATE_WAITING, STATE_ACQUIRED);
                                    getDelegate().deleteFiredTrigger(connection, fired.getFireInstanceId());
                                    count++;
                                }
                            }
                        } catch (SQLException e) {
                            throw new JobPersistenceException("cannot release the acquired triggers: " + e.getMessage(), e);
                        }
                        return count;
                    }, null);
                    if (released > 0) {
                        storeLog.info("{}: handed back {} acquired trigger(s) to the cluster", getInstanceId(), released);
                    }
                } catch (JobPersistenceException | RuntimeException e) {
                    storeLog.warn("{}: could not hand back acquired triggers ({}); the cluster recovers them once this"
                            + " instance misses its check-ins", getInstanceId(), e.getMessage());
                }
            }
            super.shutdown();
        }
    }

    /**
     * Hands Quartz the caller's DataSource. {@link #shutdown()} (called by the job store when the
     * scheduler shuts down) does not close it, the caller owns it; it only stops handing out
     * connections and drops the reference, as {@link DBConnectionManager} has no way to unregister.
     */
    static final class CallerDataSourceProvider implements ConnectionProvider {

        private volatile DataSource dataSource;

        CallerDataSourceProvider(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        @Override
        public Connection getConnection() throws SQLException {
            DataSource current = dataSource;
            if (current == null) {
                throw new SQLException("the archive scheduler is shut down");
            }
            return current.getConnection();
        }

        @Override
        public void shutdown() {
            dataSource = null;
        }

        @Override
        public void initialize() {
            // the caller's pool is ready
        }
    }
}
