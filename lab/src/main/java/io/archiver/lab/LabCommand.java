package io.archiver.lab;

import io.archiver.core.config.Config;
import io.archiver.store.ArchiveTable;
import io.archiver.store.NodeService;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
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
        PrintStream out = System.out;
        StopSignal stop = new StopSignal();

        out.println("lab: starting PostgreSQL (primary and standby), " + nodes + " archive node(s) and " + frontends
                + " front-end(s) in " + data.toAbsolutePath());
        try (LabCluster lab = LabCluster.start(data, frontends, nodes, Map.of())) {
            printEndpoints(out, lab);
            String runId = "lab-" + UUID.randomUUID().toString().substring(0, 8);
            TrafficGenerator generator = null;
            if (rate > 0) {
                generator = new TrafficGenerator(new ImTrafficModel(runId, System.nanoTime(), 40), lab.frontendUrls(),
                        lab.tokens().token("ingest"), rate);
                generator.start();
            }
            ProgressLine progress = new ProgressLine(out, lab, generator);
            progress.start();
            boolean interrupted = stop.await(runFor);
            out.println();
            out.println(interrupted ? "lab: stopping (signal)" : "lab: stopping (--duration reached)");
            if (generator != null) {
                generator.close();
            }
            long archived = drain(lab, runId, generator, drainFor);
            progress.close();
            printSummary(out, generator, archived, conflicts(lab, runId));
            boolean complete = generator == null || archived == generator.accepted();
            return complete ? 0 : 1;
        }
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

    private static void printEndpoints(PrintStream out, LabCluster lab) {
        out.println("lab: ready; state and lab.json in " + lab.labJson().getParent().toAbsolutePath());
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
        out.println("  try: curl -s -H 'Authorization: Bearer " + lab.tokens().token("ingest") + "' -H 'Content-Type: application/json' "
                + lab.frontendUrls().get(0) + "/v1/records -d @record.json");
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
                + (conflicts[1] > 0 ? "; " + conflicts[1] + " conflict(s) in the archive: ./archiver conflicts list" : ""));
    }

    private Duration parse(String option, String text) {
        return Config.parseDuration(text).filter(d -> !d.isNegative() && !d.isZero()).orElseThrow(() ->
                new ParameterException(spec.commandLine(), option + " must be a duration such as 30s, 5m or PT1H"));
    }
}
