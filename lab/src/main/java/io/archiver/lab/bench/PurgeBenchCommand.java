package io.archiver.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.config.Config;
import io.archiver.core.text.Plural;
import io.archiver.lab.LabCluster;
import io.archiver.lab.LabPostgres;
import io.archiver.retention.RetentionSettings;
import io.archiver.retention.purge.PurgeRequest;
import io.archiver.retention.purge.PurgeStatistics;
import io.archiver.retention.purge.Purger;
import io.archiver.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The purge benchmark (issue 3, item 9): an archive of N records of which M are past retention, seeded
 * straight in SQL; then, in the same run, full-speed ingest through the front-ends without a purge,
 * during a purge of everything older than 60 days, and without a purge again. Prints the purge's time
 * and the ingest rates; the figure to compare is the ratio of ingest during the purge to the mean of
 * the two without (target: at least 0.90), as it carries over between machines.
 */
@Command(name = "bench-purge", mixinStandardHelpOptions = true,
        description = "Benchmark a purge of expired days against ingest at full speed, in the same run.")
public final class PurgeBenchCommand implements Callable<Integer> {

    private static final int RETENTION_DAYS = 60;
    private static final double TARGET = 0.90;
    /** Below this, the rate during the purge is over a short window, and noisy. */
    private static final double SHORT_PURGE_SECONDS = 5;
    private static final String PURGE_POOL = "bench-purger";

    @Spec
    CommandSpec spec;

    @Mixin
    LoadOptions load;

    @Option(names = "--records", defaultValue = "5000000", description = "records in the archive before the purge (default ${DEFAULT-VALUE})")
    long records;

    @Option(names = "--expired", defaultValue = "3000000", description = "of which past retention (default ${DEFAULT-VALUE})")
    long expired;

    @Option(names = "--days-expired", defaultValue = "30", description = "days the expired records spread over, from 70 days ago back (default ${DEFAULT-VALUE})")
    int daysExpired;

    @Option(names = "--days-recent", defaultValue = "20", description = "days the others spread over, up to yesterday (default ${DEFAULT-VALUE})")
    int daysRecent;

    @Option(names = "--measure", defaultValue = "30s", converter = DurationConverter.class,
            description = "each measured window of ingest without a purge (default ${DEFAULT-VALUE})")
    Duration measure;

    @Option(names = "--warmup", defaultValue = "30s", converter = DurationConverter.class,
            description = "ingest first, not measured (default ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(names = "--batch-records", description = "retention.batchRecords for the purge (default: the setting's default)")
    Integer batchRecords;

    @Option(names = "--batch-pause", description = "retention.batchPause for the purge, e.g. 50ms (default: the setting's default)")
    String batchPause;

    /** picocli: 30s, 500ms, 2m, or PT30S. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Config.parseDuration(value).orElseThrow(() ->
                    new IllegalArgumentException("'" + value + "' is not a duration such as 500ms, 30s or 2m"));
        }
    }

    /** One measured window of ingest. */
    private record Window(double seconds, long archived, CpuMeter.Sample cpu, double slowestSecond, Map<String, Vacuum> vacuums) {
        double rate() {
            return archived / seconds;
        }
    }

    /** The purge, and the ingest during it. */
    private record PurgeRun(PurgeStatistics stats, Window ingest, double surveySeconds, List<Double> daySeconds,
                            double backendCpuSeconds, PurgeProfile profile) {
    }

    private record Check(long messages, long ids, long tooOld, long purged) {
    }

    @Override
    public Integer call() throws Exception {
        if (records < 1 || expired < 0 || expired > records || daysExpired < 1 || daysExpired > 1000 || daysRecent < 1
                || daysRecent > RETENTION_DAYS - 1 || !load.valid()
                || measure.toMillis() < 1000 || warmup.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--records must be positive, --expired from 0 to --records, "
                    + "--days-expired from 1 to 1000, --days-recent from 1 to " + (RETENTION_DAYS - 1)
                    + ", --frontends and --senders positive, --batch from 1 to 1000, --measure at least 1s");
        }
        Map<String, String> nodeSettings = new LinkedHashMap<>();
        // The node's own nightly purge stays off: the only purge is the one measured here.
        nodeSettings.put("retention.enabled", "false");
        if (batchRecords != null) {
            nodeSettings.put("retention.batchRecords", String.valueOf(batchRecords));
        }
        if (batchPause != null) {
            nodeSettings.put("retention.batchPause", batchPause);
        }
        RetentionSettings retention = RetentionSettings.from(Config.of(nodeSettings, Map.of()));
        Path dir = load.data != null ? load.data : Files.createTempDirectory("archiver-bench-purge");
        try (LabCluster lab = LabCluster.start(dir, load.frontends, nodeSettings);
             HikariDataSource admin = open(lab, "bench-purge");
             HikariDataSource purgePool = open(lab, PURGE_POOL)) {
            double seedSeconds = seed(admin);

            SteadyIngest ingest = new SteadyIngest(lab, lab.tokens().token("ingest"), load.senders, load.batch);
            if (!warmup.isZero()) {
                log("warming up: ingest at full speed for " + warmup.toSeconds() + " s");
                ingest.start();
                Thread.sleep(warmup.toMillis());
                ingest.stopAndDrain();
            }
            log("ingest without a purge (before) for " + measure.toSeconds() + " s");
            Window before = steady(lab, admin, ingest);
            log(String.format("  %,.0f records/s", before.rate()));

            PurgeRun purge = purgeDuringIngest(lab, admin, purgePool, ingest, retention);
            log(String.format("  purge %.1f s, %,.0f records/s during it", purge.stats().durationMillis() / 1000.0, purge.ingest().rate()));

            double vacuumSeconds = settleAfterPurge(admin);
            log("ingest without a purge (after) for " + measure.toSeconds() + " s");
            Window after = steady(lab, admin, ingest);
            log(String.format("  %,.0f records/s", after.rate()));

            Check check = check(admin, purge.stats());
            report(retention, seedSeconds, before, purge, vacuumSeconds, after, check);
            return ok(check) ? 0 : 1;
        } finally {
            if (load.data == null) {
                deleteTree(dir);
            }
        }
    }

    private static HikariDataSource open(LabCluster lab, String name) {
        return Database.open(Config.of(Map.of("db.url", lab.postgres().jdbcUrl(), "db.user", LabPostgres.USER, "db.poolSize", "3"),
                Map.of()), name);
    }

    /** The archive before the purge, straight in SQL; returns the seconds it took (the load, not the settling). */
    private double seed(HikariDataSource admin) throws Exception {
        List<ArchiveSeeder.Day> days = ArchiveSeeder.plan(records, expired, daysExpired, daysRecent);
        log(String.format("seeding %,d records: %,d over %d days %d to %d days ago, %,d over the last %d days", records, expired,
                daysExpired, 70, 70 + daysExpired - 1, records - expired, daysRecent));
        ArchiveSeeder seeder = new ArchiveSeeder(admin);
        long start = System.nanoTime();
        long[] done = {0};
        int[] count = {0};
        seeder.seed(days, day -> {
            done[0] += day.count();
            count[0]++;
            log(String.format("  seeded %s: %,d records (day %d of %d, %,d so far, %.0f s)", day.day(), day.count(), count[0],
                    days.size(), done[0], (System.nanoTime() - start) / 1e9));
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        log(String.format("seeded %,d records in %.1f s (%,.0f records/s); VACUUM ANALYZE and CHECKPOINT", records, seconds, records / seconds));
        long settle = System.nanoTime();
        seeder.settle();
        log(String.format("  settled in %.1f s", (System.nanoTime() - settle) / 1e9));
        return seconds;
    }

    /** A window of ingest without a purge, after a short warm-up of its own. */
    private Window steady(LabCluster lab, HikariDataSource admin, SteadyIngest ingest) throws Exception {
        checkpoint(admin);
        CpuMeter cpu = new CpuMeter(lab.postgres().pid());
        ingest.start();
        try {
            Thread.sleep(phaseWarmup());
            Sampler sampler = new Sampler(ingest, admin);
            long archived = ingest.archived();
            CpuMeter.Sample cpuBefore = cpu.sample();
            long start = System.nanoTime();
            sampler.start();
            long end = start + measure.toNanos();
            while (System.nanoTime() < end) {
                ingest.check();
                Thread.sleep(Math.max(1, Math.min(200, (end - System.nanoTime()) / 1_000_000)));
            }
            long stop = System.nanoTime();
            long archivedAfter = ingest.archived();
            CpuMeter.Sample used = cpu.sample().minus(cpuBefore);
            sampler.stop();
            return new Window((stop - start) / 1e9, archivedAfter - archived, used, sampler.slowestSecond(), sampler.vacuums());
        } finally {
            ingest.stopAndDrain();
        }
    }

    private long phaseWarmup() {
        return Math.min(5_000, measure.toMillis());
    }

    /** The purge of everything older than 60 days, with ingest at full speed all along. */
    private PurgeRun purgeDuringIngest(LabCluster lab, HikariDataSource admin, HikariDataSource purgePool, SteadyIngest ingest,
                                       RetentionSettings retention) throws Exception {
        checkpoint(admin);
        try (Connection warm = purgePool.getConnection()) {
            warm.isValid(1); // the purge's connection exists before the clock starts
        }
        Purger purger = new Purger(purgePool, retention, "bench");
        PurgeRequest request = new PurgeRequest(PurgeRequest.Trigger.COMMAND, "bench", false, Duration.ofDays(RETENTION_DAYS), false, null);
        CpuMeter cpu = new CpuMeter(lab.postgres().pid());
        List<Long> progressTimes = new ArrayList<>();
        ingest.start();
        try {
            Thread.sleep(phaseWarmup());
            log(String.format("purging records older than %d days (%,d records a batch, %d ms pause) with ingest at full speed",
                    RETENTION_DAYS, retention.batchRecords(), retention.batchPause().toMillis()));
            Map<Long, Double> backendsBefore = backendCpu(admin);
            Sampler sampler = new Sampler(ingest, admin);
            PurgeProfile profile = new PurgeProfile(admin, "archiver-" + PURGE_POOL);
            profile.start();
            long archived = ingest.archived();
            CpuMeter.Sample cpuBefore = cpu.sample();
            long start = System.nanoTime();
            sampler.start();
            long[] lastLog = {start};
            PurgeStatistics stats = purger.run(request, (done, total) -> {
                long now = System.nanoTime();
                progressTimes.add(now);
                if (now - lastLog[0] > 5_000_000_000L) {
                    lastLog[0] = now;
                    log(String.format("  purged %,d of %,d (%.0f s)", done, total, (now - start) / 1e9));
                }
            }, () -> false);
            long stop = System.nanoTime();
            long archivedAfter = ingest.archived();
            CpuMeter.Sample used = cpu.sample().minus(cpuBefore);
            profile.stop();
            Map<Long, Double> backendsAfter = backendCpu(admin);
            sampler.stop();
            ingest.check();
            double backend = 0;
            for (Map.Entry<Long, Double> e : backendsAfter.entrySet()) {
                backend += e.getValue() - backendsBefore.getOrDefault(e.getKey(), 0.0);
            }
            double survey = progressTimes.isEmpty() ? 0 : (progressTimes.get(0) - start) / 1e9;
            log("  records archived each second of the purge (thousands; the survey ended in second " + (int) Math.ceil(survey) + "): "
                    + sampler.perSecond().stream().map(r -> String.valueOf(Math.round(r / 1000.0))).collect(Collectors.joining(" ")));
            List<Double> days = new ArrayList<>();
            for (int i = 1; i < progressTimes.size(); i++) {
                days.add((progressTimes.get(i) - progressTimes.get(i - 1)) / 1e9);
            }
            Window window = new Window((stop - start) / 1e9, archivedAfter - archived, used, sampler.slowestSecond(), sampler.vacuums());
            return new PurgeRun(stats, window, survey, days, backend, profile);
        } finally {
            ingest.stopAndDrain();
        }
    }

    /**
     * What the purge leaves behind: millions of dead ids in archive.message_ids, which autovacuum takes
     * on within a minute or so. Done here, timed and outside every window, so that the reference after
     * the purge is not measured against a vacuum the purge caused (which would flatter the ratio).
     */
    private static double settleAfterPurge(HikariDataSource admin) throws Exception {
        long start = System.nanoTime();
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute("VACUUM archive.message_ids");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        log(String.format("VACUUM archive.message_ids after the purge: %.1f s (not in any window)", seconds));
        return seconds;
    }

    /** Autovacuum on one table during a window: seconds it was seen running, and the CPU its workers used meanwhile. */
    private record Vacuum(int seconds, double cpuSeconds) {
        @Override
        public String toString() {
            return String.format("%d s (%.1f s CPU)", seconds, cpuSeconds);
        }

        Map<String, Object> toMap() {
            return Map.of("seconds", seconds, "cpuSeconds", round(cpuSeconds));
        }
    }

    /** One vacuum worker on one table: its CPU seconds when first seen (0 if it started in the window) and when last seen. */
    private static final class Worker {
        final String table;
        final double from;
        double last;

        Worker(String table, double from, double last) {
            this.table = table;
            this.from = from;
            this.last = last;
        }
    }

    /**
     * Per-second archive rate and (auto)vacuum activity during a window, sampled once a second; a vacuum
     * worker's CPU counts from its first sample (from 0 if it started during the window) to its last.
     */
    private static final class Sampler {
        private final SteadyIngest ingest;
        private final HikariDataSource admin;
        private final List<Long> counts = new ArrayList<>();
        private final Map<String, Integer> vacuums = new TreeMap<>();
        private final Map<Long, Worker> current = new HashMap<>();
        private final List<Worker> workers = new ArrayList<>();
        private int ticks;
        private volatile boolean running = true;
        private Thread thread;

        Sampler(SteadyIngest ingest, HikariDataSource admin) {
            this.ingest = ingest;
            this.admin = admin;
        }

        void start() {
            counts.add(ingest.archived());
            thread = new Thread(() -> {
                long next = System.nanoTime();
                while (running) {
                    next += 1_000_000_000L;
                    try {
                        Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (!running) {
                        return;
                    }
                    synchronized (this) {
                        counts.add(ingest.archived());
                    }
                    if (admin != null) {
                        sampleVacuum();
                    }
                }
            }, "bench-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void sampleVacuum() {
            try (Connection c = admin.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT p.pid, p.relid::regclass::text FROM pg_stat_progress_vacuum p")) {
                ticks++;
                while (rs.next()) {
                    long pid = rs.getLong(1);
                    String table = rs.getString(2);
                    double cpu = processCpuSeconds(pid);
                    synchronized (this) {
                        vacuums.merge(table, 1, Integer::sum);
                        Worker w = current.get(pid);
                        if (w == null || !w.table.equals(table)) {
                            // Seen at the first tick: it may have run before the window, so it counts from here;
                            // moved on to another table: from where it was; else it started in the window.
                            w = new Worker(table, ticks == 1 ? cpu : w != null ? w.last : 0.0, cpu);
                            current.put(pid, w);
                            workers.add(w);
                        }
                        w.last = cpu;
                    }
                }
            } catch (SQLException e) {
                // a missed sample
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join();
        }

        synchronized double slowestSecond() {
            double slowest = Double.NaN;
            for (int i = 1; i < counts.size(); i++) {
                double rate = counts.get(i) - counts.get(i - 1);
                slowest = Double.isNaN(slowest) ? rate : Math.min(slowest, rate);
            }
            return slowest;
        }

        synchronized List<Long> perSecond() {
            List<Long> rates = new ArrayList<>();
            for (int i = 1; i < counts.size(); i++) {
                rates.add(counts.get(i) - counts.get(i - 1));
            }
            return rates;
        }

        synchronized Map<String, Vacuum> vacuums() {
            Map<String, Double> cpu = new HashMap<>();
            workers.forEach(w -> cpu.merge(w.table, w.last - w.from, Double::sum));
            Map<String, Vacuum> result = new TreeMap<>();
            vacuums.forEach((table, seconds) -> result.put(table, new Vacuum(seconds, cpu.getOrDefault(table, 0.0))));
            return result;
        }
    }

    /** CPU seconds so far of each backend of the purge's pool (by application name). */
    private static Map<Long, Double> backendCpu(HikariDataSource admin) throws SQLException {
        Map<Long, Double> cpu = new HashMap<>();
        try (Connection c = admin.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            s.setString(1, "archiver-" + PURGE_POOL);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    cpu.put(rs.getLong(1), processCpuSeconds(rs.getLong(1)));
                }
            }
        }
        return cpu;
    }

    private static double processCpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private Check check(HikariDataSource admin, PurgeStatistics stats) throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            return new Check(count(s, "SELECT count(*) FROM archive.messages"), count(s, "SELECT count(*) FROM archive.message_ids"),
                    count(s, "SELECT count(*) FROM archive.messages WHERE sent_at < now() - interval '" + RETENTION_DAYS + " days'"),
                    stats.purged());
        }
    }

    private boolean ok(Check check) {
        return check.messages() == check.ids() && check.tooOld() == 0 && check.purged() == expired;
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void checkpoint(HikariDataSource admin) throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    private void report(RetentionSettings retention, double seedSeconds, Window before, PurgeRun purge, double vacuumSeconds,
                        Window after, Check check) throws Exception {
        PurgeStatistics stats = purge.stats();
        double purgeSeconds = stats.durationMillis() / 1000.0;
        double reference = (before.rate() + after.rate()) / 2;
        double ratio = purge.ingest().rate() / reference;
        boolean met = ratio >= TARGET;
        int cores = Runtime.getRuntime().availableProcessors();
        double dayMean = purge.daySeconds().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double dayMax = purge.daySeconds().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        if (load.json) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("records", records);
            figures.put("expired", expired);
            figures.put("daysExpired", daysExpired);
            figures.put("daysRecent", daysRecent);
            figures.put("seedSeconds", round(seedSeconds));
            figures.put("frontends", load.frontends);
            figures.put("senders", load.senders);
            figures.put("batch", load.batch);
            figures.put("batchRecords", retention.batchRecords());
            figures.put("batchPauseMs", retention.batchPause().toMillis());
            figures.put("purgeSeconds", round(purgeSeconds));
            figures.put("purged", stats.purged());
            figures.put("partitionsDropped", stats.partitionsDropped());
            figures.put("purgeSurveySeconds", round(purge.surveySeconds()));
            figures.put("purgeSecondsPerDayMean", round(dayMean));
            figures.put("purgeSecondsPerDayMax", round(dayMax));
            figures.put("purgeBackendCpuSeconds", round(purge.backendCpuSeconds()));
            figures.put("purgeBackendProfile", purge.profile().shares());
            figures.put("vacuumAfterPurgeSeconds", round(vacuumSeconds));
            figures.put("before", window(before));
            figures.put("during", window(purge.ingest()));
            figures.put("after", window(after));
            figures.put("referenceRecordsPerSecond", Math.round(reference));
            figures.put("ratio", round(ratio));
            figures.put("target", TARGET);
            figures.put("targetMet", met);
            Map<String, Object> verify = new LinkedHashMap<>();
            verify.put("messages", check.messages());
            verify.put("messageIds", check.ids());
            verify.put("olderThanRetention", check.tooOld());
            verify.put("ok", ok(check));
            figures.put("check", verify);
            System.out.println(new ObjectMapper().writeValueAsString(figures));
            return;
        }
        System.out.printf("bench-purge: %,d records seeded in %.1f s, %,d of them expired (%d days, 70 to %d days ago), %,d over the last %d days%n",
                records, seedSeconds, expired, daysExpired, 70 + daysExpired - 1, records - expired, daysRecent);
        System.out.printf("  ingest: %s, %d senders, %d records a request; purge: older than %d days, %,d records a batch, %d ms pause%n",
                Plural.of(load.frontends, "front-end"), load.senders, load.batch, RETENTION_DAYS, retention.batchRecords(), retention.batchPause().toMillis());
        System.out.printf("  purge: %.2f s, %,d purged, day partitions dropped: %d (survey %.2f s, then %.2f s a day on average, slowest %.2f s)%n",
                purgeSeconds, stats.purged(), stats.partitionsDropped(), purge.surveySeconds(), dayMean, dayMax);
        if (purgeSeconds < SHORT_PURGE_SECONDS) {
            System.out.printf("  note: the purge took less than %.0f s; the rate during it is over that short window, and noisy%n", SHORT_PURGE_SECONDS);
        }
        System.out.printf("  ingest before the purge: %,8.0f records/s over %.1f s (slowest second %,.0f)%n", before.rate(), before.seconds(), before.slowestSecond());
        System.out.printf("  ingest during the purge: %,8.0f records/s over %.1f s (slowest second %,.0f)%n", purge.ingest().rate(),
                purge.ingest().seconds(), purge.ingest().slowestSecond());
        System.out.printf("  ingest after the purge:  %,8.0f records/s over %.1f s (slowest second %,.0f)%n", after.rate(), after.seconds(), after.slowestSecond());
        System.out.printf("  ratio during / reference (mean of before and after, %,.0f records/s): %.2f, target >= %.2f %s%n",
                reference, ratio, TARGET, met ? "met" : "NOT met");
        System.out.printf("  CPU, cores busy of %d (per record): before %.2f (JVM %.1f us + PostgreSQL %.1f us), during %.2f (JVM %.1f us + PostgreSQL %.1f us), "
                        + "after %.2f (JVM %.1f us + PostgreSQL %.1f us)%n", cores,
                busy(before), micros(before.cpu().jvmSeconds(), before), micros(before.cpu().postgresSeconds(), before),
                busy(purge.ingest()), micros(purge.ingest().cpu().jvmSeconds(), purge.ingest()), micros(purge.ingest().cpu().postgresSeconds(), purge.ingest()),
                busy(after), micros(after.cpu().jvmSeconds(), after), micros(after.cpu().postgresSeconds(), after));
        System.out.printf("  CPU of the purge's own backend: %.1f s over %.1f s, %.2f of a core (%.0f%% of the machine)%n",
                purge.backendCpuSeconds(), purgeSeconds, purge.backendCpuSeconds() / purgeSeconds,
                100 * purge.backendCpuSeconds() / purgeSeconds / cores);
        System.out.printf("  the purge's backend, sampled every 100 ms (%d samples; step / activity): %s%n",
                purge.profile().samples(), purge.profile().summary(8));
        System.out.printf("  autovacuum seen running, by table: before %s, during %s, after %s%n",
                before.vacuums(), purge.ingest().vacuums(), after.vacuums());
        System.out.printf("  VACUUM archive.message_ids after the purge (outside every window): %.1f s%n", vacuumSeconds);
        System.out.printf("  check: archive.messages %,d rows, archive.message_ids %,d rows (%s); %,d rows older than %d days; purged %,d of %,d expired: %s%n",
                check.messages(), check.ids(), check.messages() == check.ids() ? "equal" : "DIFFERENT", check.tooOld(), RETENTION_DAYS,
                check.purged(), expired, ok(check) ? "OK" : "FAILED");
    }

    private static Map<String, Object> window(Window w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", round(w.seconds()));
        m.put("archived", w.archived());
        m.put("recordsPerSecond", Math.round(w.rate()));
        m.put("slowestSecond", Double.isNaN(w.slowestSecond()) ? null : Math.round(w.slowestSecond()));
        m.put("coresBusy", round(busy(w)));
        Map<String, Object> vacuums = new TreeMap<>();
        w.vacuums().forEach((table, v) -> vacuums.put(table, v.toMap()));
        m.put("autovacuum", vacuums);
        m.put("cpuMicrosPerRecord", Map.of("jvm", micros(w.cpu().jvmSeconds(), w), "postgres", micros(w.cpu().postgresSeconds(), w)));
        return m;
    }

    private static double busy(Window w) {
        return (w.cpu().jvmSeconds() + w.cpu().postgresSeconds()) / w.seconds();
    }

    private static double micros(double cpuSeconds, Window w) {
        return w.archived() == 0 ? 0 : Math.round(cpuSeconds * 1e6 / w.archived() * 10) / 10.0;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    static void log(String message) {
        System.err.println("bench-purge: " + message);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
