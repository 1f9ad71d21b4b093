package io.archiver.app.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.app.NodeSettings;
import io.archiver.core.text.Plural;
import io.archiver.retention.RetentionSettings;
import io.archiver.retention.purge.PurgeBusyException;
import io.archiver.retention.purge.PurgeParameters;
import io.archiver.retention.purge.PurgeRequest;
import io.archiver.retention.purge.PurgeStatistics;
import io.archiver.retention.purge.Purger;
import io.archiver.store.Database;
import java.time.Duration;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code purge}: the analogue of OCS {@code Invoke-CsArchivingDatabasePurge}, with legal holds honoured. */
@Command(name = "purge", mixinStandardHelpOptions = true,
        description = {"Purge archived records older than an age (never those under a legal hold); prints statistics.",
                "Longer per-domain/per-user retention overrides still keep their records."})
public final class PurgeCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Option(names = "--dry-run", description = "count what would go; remove nothing")
    boolean dryRun;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Age age;

    /** The age of what to purge: days or hours, exactly one (the usage shows it as required). */
    static final class Age {
        @Option(names = "--older-than-days", required = true, paramLabel = "N", description = "records sent more than N days ago (1-2562)")
        Long days;

        @Option(names = "--older-than-hours", required = true, paramLabel = "N", description = "records sent more than N hours ago")
        Long hours;
    }

    @Option(names = "--exported-only", description = "only records already exported (exported_at set)")
    boolean exportedOnly;

    @Option(names = "--max-records", paramLabel = "N", description = "at most N records, oldest first")
    Long maxRecords;

    @Option(names = "--by", paramLabel = "NAME", description = "who asks, for the audit log (default cli:<user name>)")
    String by;

    @Override
    public Integer call() throws Exception {
        Duration olderThan;
        try {
            olderThan = PurgeParameters.olderThan(age.days, age.hours, "--older-than-days", "--older-than-hours");
            PurgeParameters.maxRecords(maxRecords, "--max-records");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        NodeSettings settings = config.node();
        RetentionSettings retention = settings.retention();
        String actor = CliActor.of(spec, by);
        PurgeRequest request = new PurgeRequest(PurgeRequest.Trigger.COMMAND, actor, dryRun, olderThan, exportedOnly, maxRecords);
        try (HikariDataSource dataSource = Database.open(settings.database(), "purge");
             ProgressBar bar = progressBar()) {
            Purger purger = new Purger(dataSource, retention, settings.nodeName());
            PurgeStatistics stats = purger.run(request, (done, total) -> {
                if (bar != null) {
                    bar.maxHint(Math.max(total, 1));
                    bar.stepTo(done);
                }
            }, () -> false);
            if (bar != null) {
                bar.close();
            }
            print(stats);
            return 0;
        } catch (PurgeBusyException e) {
            System.err.println("archiver purge: " + e.getMessage());
            return 1;
        }
    }

    private static ProgressBar progressBar() {
        if (System.console() == null) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("purge").setInitialMax(1).setUnit(" records", 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build();
    }

    static void print(PurgeStatistics s) {
        if (s.dryRun()) {
            System.out.printf("purge run %d (dry run: nothing removed): would purge %s; %s would be held back (legal hold), "
                            + "%s kept (not exported), %s left by --max-records%n", s.runId(), Plural.of(s.purged(), "record"),
                    Plural.of(s.heldBack(), "record"), Plural.of(s.notExported(), "record"), Plural.of(s.remaining(), "record"));
            System.out.printf("  would drop %s, %.1f s%n", Plural.of(s.partitionsDropped(), "day partition"), s.durationMillis() / 1000.0);
        } else {
            System.out.printf("purge run %d: %s purged, %s held back (legal hold), %s kept (not exported), %s left by --max-records%n",
                    s.runId(), Plural.of(s.purged(), "record"), Plural.of(s.heldBack(), "record"), Plural.of(s.notExported(), "record"),
                    Plural.of(s.remaining(), "record"));
            System.out.printf("  %s dropped, %.1f s%n", Plural.of(s.partitionsDropped(), "day partition"), s.durationMillis() / 1000.0);
        }
        if (!s.recoveredRuns().isEmpty()) {
            System.out.println("  finished the work of interrupted " + Plural.word(s.recoveredRuns().size(), "run") + " " + s.recoveredRuns());
        }
        if (!s.perDay().isEmpty()) {
            System.out.printf("  %-10s %12s %12s %12s%n", "day", s.dryRun() ? "to purge" : "purged", "held back", "not exported");
            s.perDay().forEach((day, c) -> System.out.printf("  %-10s %,12d %,12d %,12d%n", day, c.purged(), c.heldBack(), c.notExported()));
        }
    }
}
