package io.archiver.app.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.compliance.conflicts.Conflict;
import io.archiver.compliance.conflicts.ConflictReader;
import io.archiver.compliance.conflicts.ConflictRoutes;
import io.archiver.core.text.Plural;
import io.archiver.store.AuditLog;
import io.archiver.store.Database;
import io.archiver.store.StoredRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conflicts list --config F [--json] [--limit N] [--by NAME]}: the records that arrived under an
 * archived id with other content, oldest first, each as the version the archive kept next to the refused one
 * (the same reader as {@code GET /v1/conflicts}). Every page read is in the audit log
 * ({@value ConflictRoutes#ACTION}, as the API's), under {@code --by NAME} or {@code cli:<OS user>}.
 */
@Command(name = "conflicts", mixinStandardHelpOptions = true,
        description = {"Records that arrived again under an archived id with other content: the",
                "archive keeps the first version; the refused one is kept aside."},
        subcommands = ConflictsCommand.ListConflicts.class)
public final class ConflictsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "conflicts needs a subcommand: list");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the conflicts, oldest first: per conflict a table of every field of",
                    "the stored and the refused version, '*' marking those that differ (long",
                    "values cut with '...'); 'no conflicts' when there are none. --json prints",
                    "{\"conflicts\": [...], \"nextCursor\"} as GET /v1/conflicts does, every page.",
                    "Each page read is in the audit log (conflicts.list)."})
    static final class ListConflicts implements Callable<Integer> {

        /** Longest value shown in a cell of the text table. */
        static final int CELL = 40;

        @Spec
        CommandSpec spec;

        @Mixin
        ConfigOption config;

        @Option(names = "--json", description = "print JSON as the API does (all pages in one document)")
        boolean json;

        @Option(names = "--limit", paramLabel = "N", description = "list at most the N oldest conflicts (default: all)")
        Integer limit;

        @Option(names = "--by", paramLabel = "NAME", description = "who reads the conflicts, for the audit log (default: cli:<OS user>)")
        String by;

        @Override
        public Integer call() throws Exception {
            if (limit != null && limit < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be a whole number of at least 1, not " + limit);
            }
            String actor = CliActor.of(spec, by);
            PrintStream out = System.out;
            try (HikariDataSource dataSource = Database.open(config.node().database(), "cli", 2)) {
                ConflictReader reader = new ConflictReader(dataSource);
                AuditLog audit = new AuditLog(dataSource);
                JsonGenerator g = null;
                if (json) {
                    g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8).useDefaultPrettyPrinter();
                    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                    g.writeStartObject();
                    g.writeArrayFieldStart("conflicts");
                }
                long listed = 0;
                String cursor = null;
                do {
                    int page = (int) Math.min(ConflictReader.MAX_LIMIT, limit == null ? ConflictReader.MAX_LIMIT : limit - listed);
                    boolean continued = cursor != null;
                    JsonGenerator generator = g;
                    long before = listed;
                    ConflictReader.PageInfo info = reader.read(page, cursor, new ConflictReader.PageSink() {
                        @Override
                        public void start(ConflictReader.PageInfo p) throws SQLException {
                            Map<String, Object> parameters = new LinkedHashMap<>();
                            parameters.put("limit", page);
                            parameters.put("cursor", continued);
                            parameters.put("via", "cli");
                            audit.record(actor, ConflictRoutes.ACTION, parameters, Map.of("conflicts", p.conflicts()));
                            if (generator == null && before == 0 && p.conflicts() > 0) {
                                out.println("conflicts, oldest first ('*' marks a field in which the refused version differs)");
                            }
                        }

                        @Override
                        public void conflict(Conflict conflict) throws IOException {
                            if (generator != null) {
                                conflict.write(generator);
                            } else {
                                out.println();
                                out.print(table(conflict));
                            }
                        }
                    });
                    listed += info.conflicts();
                    cursor = info.nextCursor();
                } while (cursor != null && (limit == null || listed < limit));
                if (g != null) {
                    g.writeEndArray();
                    g.writeStringField("nextCursor", cursor);
                    g.writeEndObject();
                    g.close();
                    out.println();
                } else if (listed == 0) {
                    out.println("no conflicts");
                } else {
                    out.println();
                    out.println(Plural.of(listed, "conflict") + (cursor != null ? "; more after these (raise --limit)" : ""));
                }
                out.flush();
                return 0;
            }
        }

        /** One conflict: a heading, then field | stored | refused, the differing fields marked. */
        static String table(Conflict conflict) {
            StoredRecord stored = conflict.stored();
            StoredRecord refused = conflict.refused();
            List<String> differing = conflict.differingContent();
            StringBuilder text = new StringBuilder();
            text.append("conflict ").append(conflict.id()).append(": record ").append(cell(refused.id()))
                    .append(", detected ").append(conflict.detectedAt());
            if (stored == null) {
                text.append("; the stored version is no longer in the archive (its day was purged)");
            } else {
                text.append("; differs in ").append(differing.isEmpty() ? "(no content field)" : String.join(", ", differing));
            }
            text.append(System.lineSeparator());
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {" ", "FIELD", "STORED", "REFUSED"});
            for (Conflict.Field field : Conflict.FIELDS) {
                Object kept = stored == null ? null : field.value().apply(stored);
                Object other = field.value().apply(refused);
                boolean archivingOnly = field.name().equals("archivedAt") || field.name().equals("exportedAt");
                boolean differs = stored != null && !archivingOnly && !java.util.Objects.equals(kept, other);
                rows.add(new String[] {differs ? "*" : " ", field.name(), stored == null ? "(purged)" : cell(kept),
                        archivingOnly && other == null ? "-" : cell(other)});
            }
            int[] widths = new int[4];
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    widths[i] = Math.max(widths[i], row[i].codePointCount(0, row[i].length()));
                }
            }
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    line.append(row[i]);
                    if (i < row.length - 1) {
                        line.append(" ".repeat(widths[i] - row[i].codePointCount(0, row[i].length()) + (i == 0 ? 1 : 2)));
                    }
                }
                text.append(line.toString().stripTrailing()).append(System.lineSeparator());
            }
            return text.toString();
        }

        /** A value on one line, at most {@link #CELL} characters. */
        static String cell(Object value) {
            String text;
            if (value == null) {
                text = "(none)";
            } else if (value instanceof List<?> list) {
                text = String.join(", ", list.stream().map(String::valueOf).toList());
            } else if (value instanceof Instant instant) {
                text = instant.toString();
            } else {
                text = value.toString();
            }
            String line = text.codePoints().map(c -> Character.isISOControl(c) ? ' ' : c)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            return line.codePointCount(0, line.length()) <= CELL ? line
                    : line.substring(0, line.offsetByCodePoints(0, CELL - 3)) + "...";
        }
    }
}
