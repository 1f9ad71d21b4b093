package io.archiver.app.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.app.NodeSettings;
import io.archiver.compliance.export.ExportException;
import io.archiver.compliance.export.ExportFile;
import io.archiver.compliance.export.ExportQuery;
import io.archiver.compliance.export.ExportResult;
import io.archiver.compliance.export.Exporter;
import io.archiver.core.config.Config;
import io.archiver.core.config.Role;
import io.archiver.core.text.Plural;
import io.archiver.core.time.TimeOrDate;
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
@Command(name = "export", mixinStandardHelpOptions = true, description = {"Export archived records (JSONL, CSV or one .eml per conversation) with a SHA-256 manifest.",
                "Selects sentAt in [--from, --to); --participant and --conversation narrow it (each repeatable: any of them)."})
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "properties or YAML file; every key can be overridden by ARCHIVER_<KEY_UPPER_SNAKE>")
    Path configFile;

    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "T", description = "first time included: RFC 3339 or YYYY-MM-DD (UTC midnight)")
    String from;

    @Option(names = "--to", required = true, paramLabel = "T", description = "first time excluded: RFC 3339 or YYYY-MM-DD (UTC midnight)")
    String to;

    @Option(names = "--participant", paramLabel = "URI", description = "records this SIP URI sent or received (repeatable: any of them)")
    List<String> participants = new ArrayList<>();

    @Option(names = "--conversation", paramLabel = "ID", description = "records of this conversation id (repeatable: any of them)")
    List<String> conversations = new ArrayList<>();

    @Option(names = "--format", required = true, paramLabel = "eml|jsonl|csv", description = "eml (one per conversation), jsonl or csv")
    String format;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory for the files and manifest.json; new or empty")
    Path out;

    @Option(names = "--mark-exported", description = "set exported_at on the exported records once the export is complete")
    boolean markExported;

    @Option(names = "--by", paramLabel = "NAME", description = "who exports, for the manifest and the audit log (default cli:<user name>)")
    String by;

    @Override
    public Integer call() throws Exception {
        ExportQuery query;
        try {
            Instant start = TimeOrDate.argument("--from", from);
            Instant end = TimeOrDate.argument("--to", to);
            query = ExportQuery.of(start, end, participants, conversations, format, markExported, ExportQuery.Names.CLI);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        checkOut();
        NodeSettings settings = NodeSettings.from(Config.load(configFile, Role.NODE));
        String actor = CliActor.of(spec, by);
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
        try (HikariDataSource dataSource = Database.open(settings.database(), "export");
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
            if (result.records() == 0) {
                System.err.println("archiver: warning: no records matched " + describe(query) + ": the export is empty");
            }
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

    /** The query as the options that gave it, for the empty-export warning. */
    static String describe(ExportQuery query) {
        StringBuilder text = new StringBuilder("--from ").append(query.from()).append(" --to ").append(query.to());
        query.participants().forEach(p -> text.append(" --participant ").append(p));
        query.conversations().forEach(c -> text.append(" --conversation ").append(c));
        return text.toString();
    }

    private static void print(ExportResult r, Duration took) {
        double seconds = Math.max(took.toMillis(), 1) / 1000.0;
        System.out.printf("exported %s into %s, %s, in %.1f s (%,.0f records/s)%n",
                Plural.of(r.records(), "record"), Plural.of(r.files(), "file"), Plural.of(r.bytes(), "byte"), seconds, r.records() / seconds);
        for (ExportFile f : r.firstFiles()) {
            System.out.printf("  %-48s %17s  sha256 %s%n", f.name(), Plural.of(f.records(), "record"), f.sha256());
        }
        if (r.files() > r.firstFiles().size()) {
            System.out.printf("  ... and %,d more (all in the manifest)%n", r.files() - r.firstFiles().size());
        }
        if (r.markedExported() != null) {
            System.out.printf("marked %s exported%n", Plural.of(r.markedExported(), "record"));
        }
        System.out.printf("manifest: %s (sha256 %s)%n", r.manifest().toAbsolutePath(), r.manifestSha256());
    }
}
