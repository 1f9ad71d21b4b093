package io.archiver.lab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.app.send.RecordSender;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.RecordJson;
import io.archiver.core.text.Plural;
import io.archiver.lab.ImTrafficModel;
import io.archiver.lab.LabCluster;
import io.archiver.store.CopyRows;
import io.archiver.store.DayPartitions;
import io.archiver.store.Incoming;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The write-path benchmark: N records through the whole path (HTTP -> front-end spool -> core bridge
 * -> archive broker -> archiving consumer -> PostgreSQL), then, in the same run and database, a raw
 * {@code COPY} of the same rows into a table with the same columns and indexes. Prints both rates and
 * their ratio; the ratio is what the README records, as it carries over between machines.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the write path against raw COPY of the same rows, in the same run.")
public final class BenchCommand implements Callable<Integer> {

    private static final int COPY_ROUNDS = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    LoadOptions load;

    @Option(names = "--records", defaultValue = "200000", description = "records to push (default ${DEFAULT-VALUE})")
    int records;

    @Option(names = "--warmup", defaultValue = "20000", description = "records pushed first and not measured (default ${DEFAULT-VALUE})")
    int warmup;

    @Override
    public Integer call() throws Exception {
        if (records < 1 || !load.valid() || warmup < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--records, --frontends and --senders must be positive, --batch from 1 to 1000, --warmup 0 or more");
        }
        Path dir = load.data != null ? load.data : Files.createTempDirectory("archiver-bench");
        try (LabCluster lab = LabCluster.start(dir, load.frontends, Map.of())) {
            String token = lab.tokens().token("ingest");
            if (warmup > 0) {
                log("warming up with " + warmup + " records");
                push(lab, token, new ImTrafficModel("warm-" + shortId(), 7, 200).next(warmup, Instant.now()));
            }
            ImTrafficModel model = new ImTrafficModel("bench-" + shortId(), 42, 200);
            List<ArchiveRecord> rows = model.next(records, Instant.now());
            log("pushing " + records + " records through " + Plural.of(load.frontends, "front-end") + " with " + load.senders + " senders");
            Timing pipeline = push(lab, token, rows);
            long stored = lab.archivedWithPrefix(model.runId() + "-");
            if (stored != records) {
                throw new IllegalStateException("benchmark found " + stored + " rows of " + records + " records");
            }
            log("copying the same rows into archive.bench_copy (" + COPY_ROUNDS + " rounds, median)");
            CopyTiming copy = medianRawCopy(lab, rows);
            report(pipeline, copy);
            return 0;
        } finally {
            if (load.data == null) {
                deleteTree(dir);
            }
        }
    }

    private record Timing(double acceptedSeconds, double archivedSeconds, CpuMeter.Sample cpu) {
    }

    /** Posts the records with the sender pool and waits until the node has archived all of them. */
    private Timing push(LabCluster lab, String token, List<ArchiveRecord> rows) throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += load.batch) {
            bodies.add(RecordJson.toNdjson(rows.subList(i, Math.min(rows.size(), i + load.batch))));
        }
        List<RecordSender> targets = lab.frontendUrls().stream().map(u -> new RecordSender(u, token, Duration.ofMinutes(5))).toList();
        checkpoint(lab);
        CpuMeter cpu = new CpuMeter(lab.postgres().pid());
        CpuMeter.Sample cpuBefore = cpu.sample();
        long baseline = lab.archivedByNode();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(load.senders);
        long start = System.nanoTime();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int s = 0; s < load.senders; s++) {
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
                        targets.get(i % targets.size()).send(bodies.get(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long accepted = System.nanoTime();
        long deadline = accepted + Duration.ofMinutes(10).toNanos();
        while (lab.archivedByNode() - baseline < rows.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the archive did not catch up within 10 minutes");
            }
            Thread.sleep(10);
        }
        long archived = System.nanoTime();
        return new Timing((accepted - start) / 1e9, (archived - start) / 1e9, cpu.sample().minus(cpuBefore));
    }

    /**
     * The reference: the median of a few COPY rounds, because a single COPY on a small machine swings
     * with checkpoints and the page cache (seen here: 40k to 65k rows/s between runs).
     */
    private record CopyTiming(double seconds, CpuMeter.Sample cpu) {
    }

    private static CopyTiming medianRawCopy(LabCluster lab, List<ArchiveRecord> rows) throws Exception {
        Instant receivedAt = Instant.now();
        List<Incoming> incoming = rows.stream().map(r -> new Incoming(r, "bench", receivedAt)).toList();
        ByteArrayOutputStream encoded = new ByteArrayOutputStream(rows.size() * 400);
        CopyRows.write(incoming, encoded);
        byte[] bytes = encoded.toByteArray();
        ByteArrayOutputStream encodedIds = new ByteArrayOutputStream(rows.size() * 120);
        CopyRows.writeIds(incoming, encodedIds);
        byte[] ids = encodedIds.toByteArray();
        Set<LocalDate> days = new TreeSet<>();
        rows.forEach(r -> days.add(DayPartitions.dayOf(r.sentAt())));
        CpuMeter cpu = new CpuMeter(lab.postgres().pid());
        List<CopyTiming> rounds = new ArrayList<>();
        for (int i = 0; i < COPY_ROUNDS; i++) {
            checkpoint(lab);
            CpuMeter.Sample before = cpu.sample();
            double seconds = rawCopy(lab, ids, bytes, days);
            rounds.add(new CopyTiming(seconds, cpu.sample().minus(before)));
        }
        rounds.sort(Comparator.comparingDouble(CopyTiming::seconds));
        return rounds.get(COPY_ROUNDS / 2);
    }

    /** Starts a measured phase from the same database state: dirty pages written out. */
    private static void checkpoint(LabCluster lab) throws Exception {
        try (Connection c = lab.node().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    /**
     * The COPYs the writer's fast path makes, of the pre-encoded rows, into empty tables built like the
     * archive's: the ids into a table with the same primary key as archive.message_ids, the rows into
     * a table partitioned by day with the same indexes as archive.messages, in one transaction.
     */
    /**
     * archive.messages' own index definitions, aimed at the reference table, so that the reference pays
     * for every index the archive has (a new one, like the full-text index, included without an edit here).
     */
    private static List<String> indexesOfMessages(Statement s) throws SQLException {
        List<String> indexes = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE schemaname = 'archive' "
                + "AND tablename = 'messages' ORDER BY indexname")) {
            while (rs.next()) {
                indexes.add(rs.getString(1).replaceFirst("^CREATE (UNIQUE )?INDEX \\S+ ON (ONLY )?archive\\.messages ",
                        "CREATE $1INDEX ON archive.bench_copy "));
            }
        }
        if (indexes.stream().anyMatch(i -> !i.contains("archive.bench_copy"))) {
            throw new IllegalStateException("unexpected index definition on archive.messages: " + indexes);
        }
        return indexes;
    }

    private static double rawCopy(LabCluster lab, byte[] ids, byte[] bytes, Set<LocalDate> days) throws Exception {
        try (Connection c = lab.node().dataSource().getConnection(); Statement s = c.createStatement()) {
            dropCopyTables(s);
            s.execute("CREATE TABLE archive.bench_copy_ids (LIKE archive.message_ids INCLUDING ALL)");
            s.execute("CREATE TABLE archive.bench_copy (LIKE archive.messages INCLUDING DEFAULTS) PARTITION BY RANGE (sent_at)");
            for (String index : indexesOfMessages(s)) {
                s.execute(index);
            }
            for (LocalDate day : days) {
                s.execute("CREATE TABLE archive.bench_copy_" + day.toString().replace("-", "") + " PARTITION OF archive.bench_copy "
                        + "FOR VALUES FROM ('" + day + " 00:00:00+00') TO ('" + day.plusDays(1) + " 00:00:00+00')");
            }
            c.setAutoCommit(false);
            long start = System.nanoTime();
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            copy.copyIn(CopyRows.copyIdsSql("archive.bench_copy_ids"), new ByteArrayInputStream(ids));
            copy.copyIn(CopyRows.copySql("archive.bench_copy"), new ByteArrayInputStream(bytes));
            c.commit();
            double seconds = (System.nanoTime() - start) / 1e9;
            c.setAutoCommit(true);
            dropCopyTables(s);
            return seconds;
        }
    }

    private static void dropCopyTables(Statement s) throws SQLException {
        s.execute("DROP TABLE IF EXISTS archive.bench_copy");
        s.execute("DROP TABLE IF EXISTS archive.bench_copy_ids");
    }

    private void report(Timing pipeline, CopyTiming copy) throws Exception {
        double copySeconds = copy.seconds();
        double pipelineRate = records / pipeline.archivedSeconds();
        double copyRate = records / copySeconds;
        double ratio = pipelineRate / copyRate;
        if (load.json) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("records", records);
            figures.put("frontends", load.frontends);
            figures.put("senders", load.senders);
            figures.put("batch", load.batch);
            figures.put("pipelineSeconds", round(pipeline.archivedSeconds()));
            figures.put("pipelineAcceptedSeconds", round(pipeline.acceptedSeconds()));
            figures.put("pipelineRecordsPerSecond", Math.round(pipelineRate));
            figures.put("copySeconds", round(copySeconds));
            figures.put("copyRecordsPerSecond", Math.round(copyRate));
            figures.put("ratio", round(ratio));
            figures.put("pipelineCpuMicrosPerRecord", Map.of("jvm", micros(pipeline.cpu().jvmSeconds()), "postgres", micros(pipeline.cpu().postgresSeconds())));
            figures.put("copyCpuMicrosPerRecord", Map.of("jvm", micros(copy.cpu().jvmSeconds()), "postgres", micros(copy.cpu().postgresSeconds())));
            System.out.println(new ObjectMapper().writeValueAsString(figures));
            return;
        }
        System.out.printf("bench: %d records, %s, %d senders, %d records a request%n", records, Plural.of(load.frontends, "front-end"), load.senders, load.batch);
        System.out.printf("  pipeline  HTTP -> spool -> bridge -> archive broker -> PostgreSQL: %.2f s, %,.0f records/s (all accepted after %.2f s)%n",
                pipeline.archivedSeconds(), pipelineRate, pipeline.acceptedSeconds());
        System.out.printf("  reference raw COPY of the same rows and ids, same tables/indexes: %.2f s, %,.0f records/s%n", copySeconds, copyRate);
        System.out.printf("  ratio pipeline / COPY: %.2f%n", ratio);
        System.out.printf("  CPU per record: pipeline %.1f us in the JVM + %.1f us in PostgreSQL; COPY %.1f us in PostgreSQL%n",
                micros(pipeline.cpu().jvmSeconds()), micros(pipeline.cpu().postgresSeconds()), micros(copy.cpu().postgresSeconds()));
    }

    private double micros(double cpuSeconds) {
        return Math.round(cpuSeconds * 1e6 / records * 10) / 10.0;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static void log(String message) {
        System.err.println("bench: " + message);
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
