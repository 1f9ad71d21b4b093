package io.archiver.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.core.config.Config;
import io.archiver.core.record.RecordJson;
import io.archiver.core.text.Plural;
import io.archiver.store.ArchiveTable;
import io.archiver.store.NodeService;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "lab", mixinStandardHelpOptions = true,
        description = "Run the whole topology on this machine: PostgreSQL (a primary and a streaming standby), "
                + "the archive node(s), N front-ends and IM traffic.")
public final class LabCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--frontends", defaultValue = "2", description = "front-ends to run (default ${DEFAULT-VALUE})")
    int frontends;

    @Option(names = "--nodes", defaultValue = "1", description = "archive nodes to run, 1 or 2 (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--rate", defaultValue = "50", description = "generated records per second; 0 = no traffic (default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--duration", description = "stop after this long (30s, 5m, PT1H); default: until Ctrl-C")
    String duration;

    @Option(names = "--data", defaultValue = "lab-data", description = "state directory; a restart on it resumes (default ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--drain-timeout", defaultValue = "60s", description = "at exit, how long to wait for the archive to catch up")
    String drainTimeout;

    @Override
    public Integer call() throws Exception {
        if (frontends < 1 || frontends > 16) {
            throw new ParameterException(spec.commandLine(), "--frontends must be from 1 to 16");
        }
        if (nodes < 1 || nodes > 2) {
            throw new ParameterException(spec.commandLine(), "--nodes must be 1 or 2");
        }
        if (rate < 0 || rate > 1_000_000) {
            throw new ParameterException(spec.commandLine(), "--rate must be from 0 to 1000000 records per second");
        }
        Duration runFor = duration == null ? null : parse("--duration", duration);
        Duration drainFor = parse("--drain-timeout", drainTimeout);
        StopSignal stop = new StopSignal();
        LabConsole console = LabConsole.system();

        Files.createDirectories(data);
        try (LabLogging logging = LabLogging.install(logFile(data), console)) {
            console.println("lab: starting PostgreSQL (primary and standby), " + Plural.of(nodes, "archive node") + " and " + Plural.of(frontends, "front-end")
                    + " in " + data.toAbsolutePath() + " (log: " + logFile(data).toAbsolutePath() + ")");
            Path record = writeExampleRecord(data);
            try (LabCluster lab = LabCluster.start(data, frontends, nodes, Map.of())) {
                printEndpoints(console, lab, record);
                String runId = "lab-" + UUID.randomUUID().toString().substring(0, 8);
                TrafficGenerator generator = null;
                if (rate > 0) {
                    generator = new TrafficGenerator(new ImTrafficModel(runId, System.nanoTime(), 40), lab.frontendUrls(),
                            lab.tokens().token("ingest"), rate);
                    generator.start();
                }
                ProgressLine progress = new ProgressLine(console, lab, generator);
                progress.start();
                boolean interrupted = stop.await(runFor);
                console.println(interrupted ? "lab: stopping (signal)" : "lab: stopping (--duration reached)");
                if (generator != null) {
                    generator.close();
                }
                long archived = drain(lab, runId, generator, drainFor);
                progress.close();
                // the status line has ended: nothing else prints now
                printSummary(System.out, generator, archived, conflicts(lab, runId));
                boolean complete = generator == null || archived == generator.accepted();
                return complete ? 0 : 1;
            }
        }
    }

    /** {@code DIR/lab.log}: the whole log of every run on the directory ({@link LabLogging}). */
    static Path logFile(Path data) {
        return data.resolve("lab.log");
    }

    /**
     * {@code DIR/record.json}: one valid record sent now between two of the lab's users, for the banner's
     * {@code try:} line. Rewritten at every start (written aside and renamed).
     */
    static Path writeExampleRecord(Path data) throws IOException {
        Path target = data.resolve("record.json").toAbsolutePath();
        JsonFiles.write(target, new ObjectMapper().readTree(RecordJson.toJson(ImTrafficModel.exampleRecord(Instant.now()))));
        return target;
    }

    /** Waits until every accepted record of this run is archived or the timeout passes. */
    private static long drain(LabCluster lab, String runId, TrafficGenerator generator, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long archived = lab.archivedWithPrefix(runId + "-");
        while (generator != null && archived < generator.accepted() && System.nanoTime() < deadline) {
            Thread.sleep(250);
            archived = lab.archivedWithPrefix(runId + "-");
        }
        return archived;
    }

    private static void printEndpoints(LabConsole out, LabCluster lab, Path record) {
        Path dir = lab.labJson().getParent().toAbsolutePath();
        out.println("lab: ready; state in " + dir);
        for (int i = 0; i < lab.frontendUrls().size(); i++) {
            out.println("  front-end fe-" + (i + 1) + "  " + lab.frontendUrls().get(i) + "   amqp port " + lab.frontends().get(i).amqpPort());
        }
        for (NodeService node : lab.nodes()) {
            out.println("  archive node " + node.name() + "  http://127.0.0.1:" + node.httpPort() + "   broker port " + node.brokerPort());
        }
        for (LabDatabaseCluster.Server server : lab.postgres().servers()) {
            out.println("  postgres " + server.name() + "   " + String.format("%-7s", server.role()) + " port " + server.port()
                    + ", pid " + server.pid() + ", " + server.dataDir().toAbsolutePath());
        }
        out.println("  database      " + lab.postgres().jdbcUrl() + " (user " + LabPostgres.USER + ")");
        lab.tokens().all().forEach((role, token) -> out.println("  token " + String.format("%-8s", role) + " " + token));
        for (String line : nextSteps(lab.labJson().toAbsolutePath(), record, lab.nodeConfig().toAbsolutePath(), logFile(dir))) {
            out.println(line);
        }
    }

    /**
     * The banner's last lines: where lab.json is and how to read it, then commands that work as printed from
     * any directory (absolute paths, URLs and tokens read from lab.json with jq).
     */
    static List<String> nextSteps(Path labJson, Path record, Path nodeConfig, Path log) {
        String json = shellQuote(labJson.toString());
        String auditor = "-H \"Authorization: Bearer $(jq -r .tokens.auditor " + json + ")\"";
        String ingest = "-H \"Authorization: Bearer $(jq -r .tokens.ingest " + json + ")\"";
        return List.of(
                "  endpoints and tokens: " + labJson + " (e.g. jq -r .tokens.auditor " + json + ")",
                "  log: " + log + " (on a terminal, only warnings and errors show here)",
                "  try: curl -s " + ingest + " -H 'Content-Type: application/json' --data @" + shellQuote(record.toString())
                        + " \"$(jq -r '.frontends[0]' " + json + ")/v1/records\"",
                "  then:",
                "    search  curl -s " + auditor + " \"$(jq -r .node " + json
                        + ")/v1/records?participant=sip:alice@contoso.com&limit=5\"",
                "    status  ./archiver status --config " + shellQuote(nodeConfig.toString()));
    }

    /** {@code text} as one shell word: as is when it is plain, else in single quotes. */
    static String shellQuote(String text) {
        return text.matches("[A-Za-z0-9_./:@%+=,-]+") ? text : "'" + text.replace("'", "'\\''") + "'";
    }

    /** Conflicts of this run's ids (the summary's count), and in the whole archive (named after it when any): {@code [run, all]}. */
    private static long[] conflicts(LabCluster lab, String runId) throws SQLException {
        try (Connection c = lab.node().dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FILTER (WHERE record_id LIKE ?), count(*) FROM "
                     + ArchiveTable.CONFLICTS)) {
            s.setString(1, runId.replace("%", "\\%").replace("_", "\\_") + "-%");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    private static void printSummary(PrintStream out, TrafficGenerator generator, long archived, long[] conflicts) {
        long sent = generator == null ? 0 : generator.sent();
        long accepted = generator == null ? 0 : generator.accepted();
        out.println("lab: sent " + sent + ", accepted " + accepted + ", archived " + archived + ", conflicts " + conflicts[0]
                + (accepted == archived ? " (all accepted records archived)" : " (" + (accepted - archived)
                + " accepted records still in the spools: they are kept and forwarded at the next start)")
                + (conflicts[1] > 0 ? "; " + Plural.of(conflicts[1], "conflict") + " in the archive: ./archiver conflicts list" : ""));
    }

    private Duration parse(String option, String text) {
        return Config.parseDuration(text).filter(d -> !d.isNegative() && !d.isZero()).orElseThrow(() ->
                new ParameterException(spec.commandLine(), option + " must be a duration such as 30s, 5m or PT1H"));
    }
}
