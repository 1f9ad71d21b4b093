package io.archiver.app.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.compliance.export.ExportException;
import io.archiver.compliance.export.ExportFile;
import io.archiver.compliance.export.ExportQuery;
import io.archiver.compliance.export.ExportResult;
import io.archiver.compliance.export.ExportTimes;
import io.archiver.compliance.export.Exporter;
import io.archiver.core.config.Config;
import io.archiver.store.Database;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code export}: a compliance export (contract section 5), the analogue of OCS
 * {@code Export-CsArchivingData}: the records of a time range, optionally of some participants and
 * conversations, as JSONL, CSV or one EML per conversation, with {@code manifest.json} (the query, when,
 * who, each file's records and SHA-256). Exit codes: 0 done; 1 the export failed (database, disk; no
 * manifest is left, nothing is marked exported); 2 bad usage, naming the option (a bad time, format or
 * URI, a non-empty {@code --out}).
 */
@Command(name = "export", mixinStandardHelpOptions = true, subcommands = ExportCommand.Bench.class,
        description = {"Export archived records (JSONL, CSV or one .eml per conversation) with a SHA-256 manifest.",
                "Selects sentAt in [--from, --to); --participant and --conversation narrow it (each repeatable: any of them)."})
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "properties or YAML file; every key can be overridden by ARCHIVER_<KEY_UPPER_SNAKE>")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "T", description = "first time included: RFC 3339 or YYYY-MM-DD (UTC midnight)")
    String from;

    @Option(names = "--to", paramLabel = "T", description = "first time excluded: RFC 3339 or YYYY-MM-DD (UTC midnight)")
    String to;

    @Option(names = "--participant", paramLabel = "URI", description = "records this SIP URI sent or received (repeatable: any of them)")
    List<String> participants = new ArrayList<>();

    @Option(names = "--conversation", paramLabel = "ID", description = "records of this conversation id (repeatable: any of them)")
    List<String> conversations = new ArrayList<>();

    @Option(names = "--format", paramLabel = "eml|jsonl|csv", description = "eml (one per conversation), jsonl or csv")
    String format;

    @Option(names = "--out", paramLabel = "DIR", description = "directory for the files and manifest.json; new or empty")
    Path out;

    @Option(names = "--mark-exported", description = "set exported_at on the exported records once the export is complete")
    boolean markExported;

    @Option(names = "--by", paramLabel = "NAME", description = "who exports, for the manifest and the audit log (default cli:<user name>)")
    String by;

    @Override
    public Integer call() throws Exception {
        if (out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out DIR is required (a new or empty directory)");
        }
        ExportQuery query;
        try {
            Instant start = ExportTimes.parse("--from", from);
            Instant end = ExportTimes.parse("--to", to);
            query = ExportQuery.of(start, end, participants, conversations, format, markExported, ExportQuery.Names.CLI);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (configFile == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config FILE is required");
        }
        checkOut();
        Config settings = Config.load(configFile);
        String actor = by != null ? by : "cli:" + System.getProperty("user.name");
        AtomicBoolean cancelled = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cancelled.set(true);
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "export-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long started = System.nanoTime();
        try (HikariDataSource dataSource = Database.open(settings, "export");
             ProgressBar bar = progressBar()) {
            ExportResult result = new Exporter(dataSource).export(query, out, actor, (written, total) -> {
                if (bar != null) {
                    bar.maxHint(Math.max(total, 1));
                    bar.stepTo(written);
                }
            }, cancelled::get);
            if (bar != null) {
                bar.close();
            }
            print(result, Duration.ofNanos(System.nanoTime() - started));
            return 0;
        } catch (ExportException e) {
            System.err.println("archiver export: " + e.getMessage());
            return 1;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    /** A usage error (exit 2) when --out is a file or a directory that holds anything. */
    private void checkOut() {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " is a file; give a new or empty directory");
        }
        if (Files.isDirectory(out)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(out)) {
                for (Path entry : entries) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " is not empty (it holds "
                            + entry.getFileName() + "); give a new or empty directory");
                }
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " cannot be read: " + e.getMessage());
            }
        }
    }

    private static ProgressBar progressBar() {
        if (System.console() == null) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("export").setInitialMax(1).setUnit(" records", 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().build();
    }

    private static void print(ExportResult r, Duration took) {
        double seconds = Math.max(took.toMillis(), 1) / 1000.0;
        System.out.printf("exported %,d records into %,d file(s), %,d bytes, in %.1f s (%,.0f records/s)%n",
                r.records(), r.files(), r.bytes(), seconds, r.records() / seconds);
        for (ExportFile f : r.firstFiles()) {
            System.out.printf("  %-48s %,10d records  sha256 %s%n", f.name(), f.records(), f.sha256());
        }
        if (r.files() > r.firstFiles().size()) {
            System.out.printf("  ... and %,d more (all in the manifest)%n", r.files() - r.firstFiles().size());
        }
        if (r.markedExported() != null) {
            System.out.printf("marked %,d records exported%n", r.markedExported());
        }
        System.out.printf("manifest: %s (sha256 %s)%n", r.manifest().toAbsolutePath(), r.manifestSha256());
    }

    /**
     * {@code export bench}: the export benchmark (issue 5, item 7). Seeds {@code --records} records into one
     * day of an embedded PostgreSQL straight in SQL, then exports them in each format in this JVM and
     * reports records/s and the heap: the peak sampled every 10 ms and the peak live set (heap used
     * after each garbage collection). Run it in a small heap to show that memory does not grow with the
     * export: {@code ARCHIVER_JAVA_OPTS=-Xmx256m ./archiver export bench --records 2000000}.
     */
    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Benchmark exports (JSONL, CSV, EML) of N records seeded into an embedded PostgreSQL: records/s and peak heap.")
    static final class Bench implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--records", defaultValue = "1000000", description = "records to seed and export (default ${DEFAULT-VALUE})")
        long records;

        @Option(names = "--conversation-size", defaultValue = "50",
                description = "records per conversation, so EML files = records / this (default ${DEFAULT-VALUE})")
        int conversationSize;

        @Option(names = "--formats", defaultValue = "jsonl,eml", split = ",", description = "formats to measure (default ${DEFAULT-VALUE})")
        List<String> formats;

        @Option(names = "--mark-exported", description = "also set exported_at (measured in the first format)")
        boolean markExported;

        @Option(names = "--no-sync", description = "do not fsync each file (default: fsync, as the export command does)")
        boolean noSync;

        @Option(names = "--data", paramLabel = "DIR", description = "keep the database and the exports here (default: a temporary directory, removed)")
        Path data;

        @Override
        public Integer call() throws Exception {
            if (records < 1 || conversationSize < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--records and --conversation-size must be at least 1");
            }
            for (String f : formats) {
                if (io.archiver.compliance.export.ExportFormat.fromWire(f).isEmpty()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--formats: '" + f + "' is not one of eml, jsonl, csv");
                }
            }
            Path dir = data != null ? data : Files.createTempDirectory("archiver-bench-export");
            try (io.archiver.app.lab.LabPostgres postgres = io.archiver.app.lab.LabPostgres.start(dir.resolve("pg"));
                 HikariDataSource db = Database.open(Config.of(java.util.Map.of("db.url", postgres.jdbcUrl(), "db.user",
                         io.archiver.app.lab.LabPostgres.USER), java.util.Map.of()), "bench-export")) {
                io.archiver.store.Migrations.migrate(db);
                java.time.LocalDate day = java.time.LocalDate.of(2026, 1, 15);
                long seedStart = System.nanoTime();
                seed(db, day);
                System.out.printf("seeded %,d records in one day partition (%s), %d per conversation, in %.1f s%n", records, day,
                        conversationSize, (System.nanoTime() - seedStart) / 1e9);
                System.out.printf("JVM: max heap %,d MiB, %s%n", Runtime.getRuntime().maxMemory() >> 20,
                        String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
                Instant from = day.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
                boolean mark = markExported;
                for (String f : formats) {
                    ExportQuery query = ExportQuery.of(from, from.plus(Duration.ofDays(1)), List.of(), List.of(), f, mark, ExportQuery.Names.CLI);
                    mark = false;
                    Path out = dir.resolve("export-" + f);
                    HeapWatch heap = HeapWatch.start();
                    long start = System.nanoTime();
                    ExportResult r = new Exporter(db, new Exporter.Options(Exporter.Options.DEFAULTS.emlMaxRecords(),
                            Exporter.Options.DEFAULTS.emlMaxChars(), !noSync)).export(query, out, "bench", Exporter.Progress.NONE, () -> false);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    HeapWatch.Peaks peaks = heap.stop();
                    System.out.printf("%-5s %,10d records %,8d files %,14d bytes %7.1f s %,9.0f records/s  heap: peak used %,d MiB, "
                                    + "peak after GC %,d MiB (%d GCs), peak after full GC %s (%d full GCs)%s%n", f, r.records(), r.files(),
                            r.bytes(), seconds, r.records() / seconds, peaks.used() >> 20, peaks.afterGc() >> 20, peaks.collections(),
                            peaks.afterFullGc() < 0 ? "-" : String.format("%,d MiB", peaks.afterFullGc() >> 20), peaks.fullCollections(),
                            r.markedExported() == null ? "" : String.format(", %,d marked exported", r.markedExported()));
                    deleteTree(out);
                }
                return 0;
            } finally {
                if (data == null) {
                    deleteTree(dir);
                }
            }
        }

        /** {@code records} rows in one day, straight in SQL: conversations of {@code conversationSize}, bodies with some Unicode. */
        private void seed(HikariDataSource db, java.time.LocalDate day) throws java.sql.SQLException {
            double step = 86_400.0 / records;
            try (java.sql.Connection c = db.getConnection(); java.sql.Statement s = c.createStatement()) {
                s.execute("SELECT archive.ensure_day_partition('" + day + "'::date)");
                String partition = "archive.messages_p" + day.toString().replace("-", "");
                s.executeUpdate("INSERT INTO " + partition + " (record_id, conversation_id, kind, sent_at, sender, recipients, content_type, "
                        + "body, external, frontend, received_at, archived_at, exported_at, content_hash) "
                        + "SELECT id, 'bench-conv-' || (g / " + conversationSize + "), "
                        + "CASE WHEN g % 100 = 0 THEN 'conference-message' ELSE 'message' END, ts, "
                        + "'sip:user' || (g % 500) || '@contoso.com', "
                        + "ARRAY['sip:user' || ((g + 1) % 500) || '@contoso.com', 'sip:peer' || (g % 7) || '@fabrikam.com'], "
                        + "'text/plain', 'Message ' || g || ': could you send me the minutes of the review, \"Q3\" figures, "
                        + "привет, 你好, مرحبا 🎉 - see <https://example.com/a?b=1&c=2>', g % 10 = 0, 'fe-1', "
                        + "ts + interval '40 milliseconds', ts + interval '900 milliseconds', NULL, sha256(convert_to(id, 'UTF8')) "
                        + "FROM (SELECT g, 'bench-' || g AS id, '" + day + " 00:00:00+00'::timestamptz + ((g - 1) * " + step
                        + ") * interval '1 second' AS ts FROM generate_series(1::bigint, " + records + "::bigint) g) q");
                s.executeUpdate("INSERT INTO archive.message_ids (record_id, sent_at, content_hash) SELECT record_id, sent_at, content_hash FROM "
                        + partition);
                s.execute("VACUUM ANALYZE " + partition);
                s.execute("CHECKPOINT");
            }
        }

        private static void deleteTree(Path root) throws IOException {
            if (!Files.exists(root)) {
                return;
            }
            try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
                for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Heap during a run: the peak of heap used sampled every 10 ms, and the peak of heap used right after each GC (the live set). */
    static final class HeapWatch {

        /**
         * {@code used}: the highest heap use sampled; {@code afterGc}: the highest heap use right after a collection
         * (young collections leave promoted garbage in the old generation, so an upper bound of the live set);
         * {@code afterFullGc}: the highest right after a full collection (the live set itself; -1 when none was needed).
         */
        record Peaks(long used, long afterGc, long afterFullGc, long collections, long fullCollections) {
        }

        private final java.util.concurrent.atomic.AtomicLong used = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong live = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong collections = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong full = new java.util.concurrent.atomic.AtomicLong(-1);
        private final java.util.concurrent.atomic.AtomicLong fullCollections = new java.util.concurrent.atomic.AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread sampler;
        private final List<Runnable> unsubscribe = new ArrayList<>();

        private HeapWatch() {
            java.lang.management.MemoryMXBean memory = java.lang.management.ManagementFactory.getMemoryMXBean();
            java.util.Set<String> heapPools = new java.util.HashSet<>();
            for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                    heapPools.add(pool.getName());
                }
            }
            for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof javax.management.NotificationEmitter emitter) {
                    javax.management.NotificationListener listener = (notification, handback) -> {
                        if (!com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                            return;
                        }
                        com.sun.management.GarbageCollectionNotificationInfo info = com.sun.management.GarbageCollectionNotificationInfo
                                .from((javax.management.openmbean.CompositeData) notification.getUserData());
                        long after = 0;
                        for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                            if (heapPools.contains(e.getKey())) {
                                after += e.getValue().getUsed();
                            }
                        }
                        live.accumulateAndGet(after, Math::max);
                        collections.incrementAndGet();
                        if (info.getGcAction().contains("major")) {
                            full.accumulateAndGet(after, Math::max);
                            fullCollections.incrementAndGet();
                        }
                    };
                    emitter.addNotificationListener(listener, null, null);
                    unsubscribe.add(() -> {
                        try {
                            emitter.removeNotificationListener(listener);
                        } catch (javax.management.ListenerNotFoundException ignored) {
                            // gone already
                        }
                    });
                }
            }
            sampler = new Thread(() -> {
                while (running.get()) {
                    used.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-watch");
            sampler.setDaemon(true);
        }

        static HeapWatch start() {
            System.gc();
            HeapWatch watch = new HeapWatch();
            watch.sampler.start();
            return watch;
        }

        Peaks stop() throws InterruptedException {
            running.set(false);
            sampler.join();
            unsubscribe.forEach(Runnable::run);
            return new Peaks(used.get(), live.get(), full.get(), collections.get(), fullCollections.get());
        }
    }
}
