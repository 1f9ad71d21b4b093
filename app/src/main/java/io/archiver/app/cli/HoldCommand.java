package io.archiver.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.text.Plural;
import io.archiver.retention.hold.Hold;
import io.archiver.retention.hold.HoldAlreadyReleasedException;
import io.archiver.retention.hold.HoldJson;
import io.archiver.retention.hold.HoldRequest;
import io.archiver.retention.hold.HoldStore;
import io.archiver.retention.hold.InvalidHoldException;
import io.archiver.store.AuditLog;
import io.archiver.store.Database;
import io.archiver.store.DatabaseSettings;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hold add|release|list --config F ...}: legal holds from the command line, the same as the
 * admin API's {@code /v1/holds} ({@link HoldStore}: a second hold on the same target is a new hold;
 * every place, release and list is in {@code archive.audit_log}, under {@code --by NAME} or
 * {@code cli:<OS user>}). It does not migrate: without the schema it fails (exit 1) and says to run
 * {@code ./archiver migrate}. Exit codes: 0 done; 1 unknown id, already released, database trouble;
 * 2 bad usage (both or neither targets, a bad URI, a missing reason, a non-numeric id).
 */
@Command(name = "hold", mixinStandardHelpOptions = true,
        description = "Legal holds: a held participant's or conversation's records are never purged, by the job or by hand.",
        subcommands = {HoldCommand.Add.class, HoldCommand.Release.class, HoldCommand.ListHolds.class})
public final class HoldCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "hold needs a subcommand: add, release or list");
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Place a legal hold on a participant or a conversation.")
    static final class Add implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        ConfigOption config;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        @Option(names = "--reason", required = true, paramLabel = "TEXT",
                description = "why the records are held (matter, case number); at most 1000 characters")
        String reason;

        @Option(names = "--by", paramLabel = "NAME", description = "who places the hold, for the audit log (default: cli:<OS user>)")
        String by;

        static final class Target {
            @Option(names = "--participant", required = true, paramLabel = "URI",
                    description = "hold every record this participant sent or received (sip:user@domain or xmpp:user@domain)")
            String participant;

            @Option(names = "--conversation", required = true, paramLabel = "ID", description = "hold every record of this conversation id")
            String conversation;
        }

        @Override
        public Integer call() throws SQLException {
            HoldRequest request;
            try {
                request = HoldRequest.of(target.participant, target.conversation, reason);
            } catch (InvalidHoldException e) {
                throw usage(spec, "hold refused: " + e.problems().stream().map(p -> "--" + p.field() + " " + p.reason())
                        .collect(Collectors.joining("; ")));
            }
            String actor = CliActor.of(spec, by);
            try (HikariDataSource dataSource = Database.open(loadConfig(config), "cli")) {
                HoldStore holds = new HoldStore(dataSource);
                if (!schemaPresent(holds, config)) {
                    return 1;
                }
                Hold hold = holds.place(request, actor);
                System.out.println("hold " + hold.id() + " placed on " + hold.describeTarget());
                List<Long> others = holds.activeOn(request.target()).stream().map(Hold::id).filter(id -> id != hold.id()).toList();
                if (!others.isEmpty()) {
                    System.out.println("note: " + hold.describeTarget() + " is also under active " + Plural.word(others.size(), "hold") + " " + ids(others)
                            + "; each hold is released on its own");
                }
                return 0;
            }
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Release a legal hold: its records become eligible for purging again (unless another hold covers them).")
    static final class Release implements Callable<Integer> {

        private static final Pattern ID = Pattern.compile("[0-9]{1,18}");

        @Spec
        CommandSpec spec;

        @Mixin
        ConfigOption config;

        @Parameters(index = "0", paramLabel = "ID", description = "the hold's id (see 'hold list')")
        String id;

        @Option(names = "--by", paramLabel = "NAME", description = "who releases the hold, for the audit log (default: cli:<OS user>)")
        String by;

        @Override
        public Integer call() throws SQLException {
            if (!ID.matcher(id).matches()) {
                throw usage(spec, "hold id must be a positive whole number, not '" + id + "'");
            }
            long holdId = Long.parseLong(id);
            String actor = CliActor.of(spec, by);
            try (HikariDataSource dataSource = Database.open(loadConfig(config), "cli")) {
                HoldStore holds = new HoldStore(dataSource);
                if (!schemaPresent(holds, config)) {
                    return 1;
                }
                Optional<Hold> released;
                try {
                    released = holds.release(holdId, actor);
                } catch (HoldAlreadyReleasedException e) {
                    System.err.println("archiver: " + e.getMessage());
                    return 1;
                }
                if (released.isEmpty()) {
                    System.err.println("archiver: no hold with id " + holdId + " (see 'archiver hold list --all')");
                    return 1;
                }
                Hold hold = released.get();
                System.out.println("hold " + hold.id() + " on " + hold.describeTarget() + " released by " + hold.releasedBy()
                        + " (placed " + seconds(hold.placedAt()) + " by " + hold.placedBy() + ": " + oneLine(hold.reason(), 200) + ")");
                List<Long> others = holds.activeOn(hold.target()).stream().map(Hold::id).toList();
                if (others.isEmpty()) {
                    System.out.println("the records of " + hold.describeTarget() + " are eligible for purging again"
                            + " unless a hold on another of their participants or their conversation covers them");
                } else {
                    System.out.println("note: " + hold.describeTarget() + " is still under active " + Plural.word(others.size(), "hold") + " " + ids(others));
                }
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the active legal holds (--all: released ones too).")
    static final class ListHolds implements Callable<Integer> {

        private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        @Spec
        CommandSpec spec;

        @Mixin
        ConfigOption config;

        @Option(names = "--all", description = "include released holds")
        boolean all;

        @Option(names = "--json", description = "print {\"holds\": [...]} as the admin API does")
        boolean json;

        @Option(names = "--by", paramLabel = "NAME", description = "who reads the holds, for the audit log (default: cli:<OS user>)")
        String by;

        @Override
        public Integer call() throws Exception {
            String actor = CliActor.of(spec, by);
            try (HikariDataSource dataSource = Database.open(loadConfig(config), "cli")) {
                HoldStore holds = new HoldStore(dataSource);
                if (!schemaPresent(holds, config)) {
                    return 1;
                }
                List<Hold> found = holds.list(all);
                new AuditLog(dataSource).record(actor, HoldStore.ACTION_LIST, Map.of("all", all, "via", "cli"), Map.of("count", found.size()));
                if (json) {
                    System.out.println(JSON.writeValueAsString(HoldJson.list(found)));
                } else if (found.isEmpty()) {
                    System.out.println(all ? "no holds" : "no active holds (--all shows released ones too)");
                } else {
                    System.out.print(table(found));
                }
                return 0;
            }
        }

        static String table(List<Hold> holds) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "TARGET", "REASON", "PLACED BY", "PLACED AT", "RELEASED"});
            for (Hold hold : holds) {
                rows.add(new String[] {
                        Long.toString(hold.id()),
                        oneLine(hold.describeTarget(), 80),
                        oneLine(hold.reason(), 50),
                        oneLine(hold.placedBy(), 40),
                        seconds(hold.placedAt()),
                        hold.active() ? "-" : seconds(hold.releasedAt()) + " by " + oneLine(hold.releasedBy(), 40)});
            }
            int[] widths = new int[rows.get(0).length];
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    widths[i] = Math.max(widths[i], row[i].codePointCount(0, row[i].length()));
                }
            }
            StringBuilder out = new StringBuilder();
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    out.append(row[i]);
                    if (i < row.length - 1) {
                        out.append(" ".repeat(widths[i] - row[i].codePointCount(0, row[i].length()) + 2));
                    }
                }
                out.append(System.lineSeparator());
            }
            return out.toString();
        }
    }

    private static DatabaseSettings loadConfig(ConfigOption config) {
        return config.node().database();
    }

    /** The schema is the migrations' business: say so and fail (exit 1) rather than create it here. */
    private static boolean schemaPresent(HoldStore holds, ConfigOption config) throws SQLException {
        if (holds.schemaPresent()) {
            return true;
        }
        System.err.println("archiver: the database has no archive.holds table (schema not migrated): run ./archiver migrate --config "
                + config.file + " first");
        return false;
    }

    private static CommandLine.ParameterException usage(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static String ids(List<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private static String seconds(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String oneLine(String text, int max) {
        String line = text.codePoints().map(c -> Character.isISOControl(c) ? ' ' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return line.codePointCount(0, line.length()) <= max ? line
                : line.substring(0, line.offsetByCodePoints(0, max - 3)) + "...";
    }
}
