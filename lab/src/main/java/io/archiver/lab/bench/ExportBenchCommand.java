package io.archiver.lab.bench;

import io.archiver.store.ArchiveTable;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.lab.LabPostgres;
import io.archiver.compliance.export.ExportFormat;
import io.archiver.compliance.export.ExportQuery;
import io.archiver.compliance.export.ExportResult;
import io.archiver.compliance.export.Exporter;
import io.archiver.core.config.Config;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code export bench}: the export benchmark (issue 5, item 7). Seeds {@code --records} records into one
 * day of an embedded PostgreSQL straight in SQL, then exports them in each format in this JVM and
 * reports records/s and the heap: the peak sampled every 10 ms and the peak live set (heap used
 * after each garbage collection). Run it in a small heap to show that memory does not grow with the
 * export: {@code ARCHIVER_JAVA_OPTS=-Xmx256m ./archiver export bench --records 2000000}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark exports (JSONL, CSV, EML) of N records seeded into an embedded PostgreSQL: records/s and peak heap.")
public final class ExportBenchCommand implements Callable<Integer> {

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
            if (ExportFormat.fromWire(f).isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--formats: '" + f + "' is not one of eml, jsonl, csv");
            }
        }
        Path dir = data != null ? data : Files.createTempDirectory("archiver-bench-export");
        try (LabPostgres postgres = LabPostgres.start(dir.resolve("pg"));
             HikariDataSource db = Database.open(Config.of(Map.of("db.url", postgres.jdbcUrl(), "db.user",
                     LabPostgres.USER), Map.of()), "bench-export")) {
            Migrations.migrate(db);
            LocalDate day = LocalDate.of(2026, 1, 15);
            long seedStart = System.nanoTime();
            seed(db, day);
            System.out.printf("seeded %,d records in one day partition (%s), %d per conversation, in %.1f s%n", records, day,
                    conversationSize, (System.nanoTime() - seedStart) / 1e9);
            System.out.printf("JVM: max heap %,d MiB, %s%n", Runtime.getRuntime().maxMemory() >> 20,
                    String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
            Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
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
    private void seed(HikariDataSource db, LocalDate day) throws SQLException {
        double step = 86_400.0 / records;
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT archive.ensure_day_partition('" + day + "'::date)");
            String partition = ArchiveTable.qualifiedPartition(day);
            s.executeUpdate("INSERT INTO " + partition + " (" + ArchiveTable.STORED_COLUMNS + ", content_hash) "
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
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
