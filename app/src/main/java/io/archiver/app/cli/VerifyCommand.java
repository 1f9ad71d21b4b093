package io.archiver.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.app.NodeSettings;
import io.archiver.compliance.integrity.IntegritySettings;
import io.archiver.compliance.integrity.IntegrityVerifier;
import io.archiver.compliance.integrity.VerifyReport;
import io.archiver.compliance.integrity.VerifyReport.ChainFinding;
import io.archiver.compliance.integrity.VerifyReport.DayReport;
import io.archiver.compliance.integrity.VerifyReport.Finding;
import io.archiver.core.text.Plural;
import io.archiver.core.time.TimeOrDate;
import io.archiver.store.Database;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code verify}: the integrity check of the stored archive (contract section 5). Recomputes every
 * record's content hash from its columns, compares every UTC day with its seal (records changed, removed,
 * inserted; removals by recorded purges are not mismatches) and checks the chained seal log. Exit codes:
 * 0 everything matches (unsealed days are listed, not mismatches); 1 a mismatch, or the check could not
 * run; 2 bad usage.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check the stored archive against its integrity seals; exit 1 on any mismatch.",
                "Every record's content hash is recomputed; each UTC day meeting [--from, --to) is compared with its seal;",
                "the chain of seals is checked. Removals by recorded purges are not mismatches."})
public final class VerifyCommand implements Callable<Integer> {

    private static final int IDS_SHOWN = 10;

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "T", description = "days from the one holding T: RFC 3339 or YYYY-MM-DD (UTC midnight); default the first")
    String from;

    @Option(names = "--to", paramLabel = "T", description = "days before T: RFC 3339 or YYYY-MM-DD (UTC midnight); default all")
    String to;

    @Option(names = "--json", description = "print the report as JSON (every finding with up to 1000 ids)")
    boolean json;

    @Option(names = "--by", paramLabel = "NAME", description = "who verifies, for the audit log (default cli:<user name>)")
    String by;

    @Override
    public Integer call() throws Exception {
        Instant start;
        Instant end;
        try {
            start = from == null ? null : TimeOrDate.argument("--from", from);
            end = to == null ? null : TimeOrDate.argument("--to", to);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (start != null && end != null && !start.isBefore(end)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from " + from + " is not before --to " + to);
        }
        NodeSettings settings = config.node();
        IntegritySettings integrity = settings.integrity();
        String actor = CliActor.of(spec, by);
        VerifyReport report;
        try (HikariDataSource dataSource = Database.open(settings.database(), "verify", 1);
             ProgressBar bar = progressBar()) {
            report = new IntegrityVerifier(dataSource, integrity).verify(new IntegrityVerifier.Request(start, end, actor), progress(bar));
        }
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report.toMap()));
        } else {
            print(report, System.out);
        }
        if (!report.ok()) {
            System.err.println("archiver verify: MISMATCH: " + Plural.of(report.count(VerifyReport.Status.MISMATCH), "day") + " and "
                    + Plural.of(report.chain().findings().size(), "seal log problem") + "; see above");
            return 1;
        }
        return 0;
    }

    private static ProgressBar progressBar() {
        if (System.console() == null) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("verify").setInitialMax(1).setUnit(" days", 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build();
    }

    private static IntegrityVerifier.Progress progress(ProgressBar bar) {
        if (bar == null) {
            return IntegrityVerifier.Progress.NONE;
        }
        return new IntegrityVerifier.Progress() {
            @Override
            public void started(int days) {
                bar.maxHint(Math.max(days, 1));
            }

            @Override
            public void records(LocalDate day, long dayRecords, long earlierRecords) {
                bar.setExtraMessage(String.format(" %s, %,d records", day, earlierRecords + dayRecords));
            }

            @Override
            public void dayDone(DayReport report, int done, int days) {
                bar.stepTo(done);
            }

            @Override
            public void waiting(String why) {
                bar.setExtraMessage(" " + why);
            }
        };
    }

    static void print(VerifyReport report, PrintStream out) {
        out.printf("verify: %s .. %s (UTC days), %s, %.1f s%n",
                report.fromDay() == null ? "first" : report.fromDay(), report.toDay() == null ? "last" : report.toDay(),
                Plural.of(report.records(), "record"), report.durationMillis() / 1000.0);
        for (DayReport day : report.days()) {
            out.printf("  %s  %-8s %18s%s%n", day.day(), day.status().wireName().toUpperCase(java.util.Locale.ROOT),
                    Plural.of(day.records(), "record"), day.sealedAt() == null ? "" : "  sealed " + day.sealedAt().truncatedTo(ChronoUnit.SECONDS)
                            + " (" + Plural.of(day.sealedRecords(), "record") + ", entry " + day.sealSeq() + ")");
            for (Finding f : day.findings()) {
                out.printf("      %s (%,d)%s: %s%n", f.kind(), f.count(), ids(f.ids(), f.count()), f.message());
            }
            if (day.unsealedBecause() != null) {
                out.println("      " + (day.status() == VerifyReport.Status.OPEN ? "open: " : "unsealed: ") + day.unsealedBecause());
            }
            for (String note : day.notes()) {
                out.println("      note: " + note);
            }
        }
        VerifyReport.ChainReport chain = report.chain();
        out.printf("  seal log: %,d entr%s, head %s%s%n", chain.entries(), chain.entries() == 1 ? "y" : "ies",
                chain.headSeq() == null ? "(none)" : "entry " + chain.headSeq() + " " + chain.headChain(),
                chain.macsChecked() ? ", MACs checked" : "");
        for (ChainFinding f : chain.findings()) {
            out.printf("      %s: %s%n", f.kind(), f.message());
        }
        for (String note : chain.notes()) {
            out.println("      note: " + note);
        }
        long sealed = report.count(VerifyReport.Status.OK) + report.days().stream()
                .filter(d -> d.status() == VerifyReport.Status.MISMATCH && d.sealedAt() != null).count();
        if (sealed == 0 && !report.days().isEmpty()) {
            out.println("  no day here is sealed yet, so none was compared with a seal: only the records' own content hashes were "
                    + "checked (see above for when each day will be sealed)");
        }
        out.printf("result: %s: %s ok, %d mismatch, %d unsealed, %d open; %s removed by recorded purges%n",
                report.ok() ? "OK" : "MISMATCH", Plural.of(report.count(VerifyReport.Status.OK), "day"),
                report.count(VerifyReport.Status.MISMATCH), report.count(VerifyReport.Status.UNSEALED),
                report.count(VerifyReport.Status.OPEN), Plural.of(report.days().stream().mapToLong(DayReport::purged).sum(), "record"));
    }

    private static String ids(List<String> ids, long count) {
        if (ids.isEmpty()) {
            return "";
        }
        List<String> shown = ids.subList(0, Math.min(IDS_SHOWN, ids.size()));
        return " " + String.join(", ", shown) + (count > shown.size() ? ", ..." : "");
    }
}
