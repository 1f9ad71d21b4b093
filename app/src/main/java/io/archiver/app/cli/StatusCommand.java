package io.archiver.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.app.NodeSettings;
import io.archiver.cluster.status.ClusterStatus;
import io.archiver.cluster.failover.FailoverSettings;
import io.archiver.store.Database;
import io.archiver.cluster.failover.HostProbe;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code status}: the one-screen state of the archive, read from the database servers and the tables
 * the nodes keep (the same page as {@code GET /v1/cluster}, without needing a node to answer). Exit 0
 * when a primary takes writes, 1 when none does (scripts can poll it).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"One-screen state of the database servers (roles, lag), the archive nodes and their queues,",
                "the dead letters, the last failover and the scheduled jobs. Exit 1 when no database primary takes writes."})
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print the status as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        NodeSettings settings = config.node();
        FailoverSettings failover = settings.failover();
        Map<String, Object> status;
        try (HikariDataSource dataSource = Database.open(settings.database(), "status", 2)) {
            status = new ClusterStatus(dataSource, HostProbe.of(settings.database(), failover.probeTimeoutSeconds())).read();
        }
        PrintStream out = System.out;
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(status));
        } else {
            print(out, status, failover);
        }
        Map<?, ?> database = (Map<?, ?>) status.get("database");
        return database.get("primary") == null ? 1 : 0;
    }

    private static void print(PrintStream out, Map<String, Object> status, FailoverSettings failover) {
        out.println("archiver status at " + status.get("at") + " (failover." + "mode " + failover.mode().key() + ")");
        out.println("database");
        for (Object server : (List<?>) ((Map<?, ?>) status.get("database")).get("servers")) {
            out.println("  " + server((Map<?, ?>) server));
        }
        if (status.containsKey("unavailable")) {
            out.println(status.get("unavailable"));
            return;
        }
        out.println("archive nodes");
        List<?> nodes = (List<?>) status.get("archiveNodes");
        if (nodes.isEmpty()) {
            out.println("  (none has started against this database)");
        }
        for (Object n : nodes) {
            Map<?, ?> node = (Map<?, ?>) n;
            out.printf("  %-12s %-5s queue %,d   %s   broker %s   last seen %s%n", node.get("name"),
                    Boolean.TRUE.equals(node.get("alive")) ? "up" : "DOWN", (Long) node.get("queueDepth"), node.get("http"),
                    node.get("broker"), node.get("lastSeen"));
        }
        Map<?, ?> queues = (Map<?, ?>) status.get("queues");
        out.printf("queues: %,d record message(s) waiting in the archive brokers, %,d dead letter(s) to replay%n",
                (Long) queues.get("archiveBrokers"), (Long) queues.get("deadLetters"));
        Map<?, ?> last = (Map<?, ?>) status.get("lastFailover");
        if (last == null) {
            out.println("last failover: none");
        } else {
            out.printf("last failover: term %s, %s -> %s by %s (%s); detected %s, promoted after %s s, writes resumed %s%n",
                    last.get("term"), last.get("oldPrimary"), last.get("newPrimary"), last.get("node"), last.get("mode"),
                    last.get("detectedAt"), last.get("takeoverSeconds"),
                    last.get("writesResumedAt") == null ? "(not yet)" : "after " + last.get("detectedToWritesSeconds") + " s");
        }
        out.println("scheduled jobs");
        for (Object j : (List<?>) status.get("scheduledJobs")) {
            Map<?, ?> job = (Map<?, ?>) j;
            out.printf("  %-32s %-16s %-9s %s%n", job.get("name"), job.get("schedule"), job.get("state"),
                    job.get("runningOn") != null ? "running on " + job.get("runningOn") : "next " + job.get("nextFire"));
        }
    }

    private static String server(Map<?, ?> server) {
        String role = String.valueOf(server.get("role"));
        StringBuilder line = new StringBuilder(String.format("%-22s %-8s", server.get("host"), role));
        switch (role) {
            case "primary", "fenced" -> {
                List<?> replicas = (List<?>) server.get("replicas");
                line.append(Boolean.TRUE.equals(server.get("synchronous")) ? " synchronous" : " asynchronous")
                        .append(", ").append(replicas.size()).append(" standby(s)");
                for (Object r : replicas) {
                    Map<?, ?> replica = (Map<?, ?>) r;
                    line.append(" [").append(replica.get("name")).append(' ').append(replica.get("state")).append(' ')
                            .append(replica.get("syncState")).append(", lag ").append(replica.get("lagBytes")).append(" B]");
                }
                line.append(", term ").append(server.get("term"));
            }
            case "standby" -> line.append(Boolean.TRUE.equals(server.get("receiving")) ? " receiving" : " NOT receiving")
                    .append(", replay lag ").append(server.get("lagBytes")).append(" B")
                    .append(server.get("replayDelaySeconds") == null ? "" : String.format(", last replay %.1f s ago",
                            ((Number) server.get("replayDelaySeconds")).doubleValue()));
            default -> line.append(' ').append(server.get("error"));
        }
        return line.toString();
    }
}
