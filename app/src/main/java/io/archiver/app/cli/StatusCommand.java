package io.archiver.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.app.NodeSettings;
import io.archiver.cluster.failover.FailoverSettings;
import io.archiver.cluster.failover.HostProbe;
import io.archiver.cluster.node.NodeHeartbeat;
import io.archiver.cluster.status.ClusterStatus;
import io.archiver.core.text.Plural;
import io.archiver.store.AuditLog;
import io.archiver.store.Database;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code status}: the one-screen state of the archive, read from the database servers and the tables
 * the nodes keep (the same page as {@code GET /v1/cluster}, without needing a node to answer). Exit 0
 * when a primary takes writes, 1 when none does (scripts can poll it).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"One-screen state of the database servers (roles, lag), the archive nodes",
                "and their queues, the dead letters, the last failover, the scheduled jobs and",
                "the conflicts. Exit 1 when no database primary takes writes.",
                "A node not seen for 24 hours is no longer listed; --forget NAME removes one",
                "that is gone for good at once. Each run is in the audit log (cluster.status),",
                "as GET /v1/cluster is."})
public final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print the status as JSON")
    boolean json;

    @Option(names = "--forget", paramLabel = "NAME",
            description = "first remove archive node NAME from the list (a node that is gone for good; refused while it is up: stop it first)")
    String forget;

    @Option(names = "--by", paramLabel = "NAME", description = "who reads the status, for the audit log (default: cli:<OS user>)")
    String by;

    @Override
    public Integer call() throws Exception {
        String actor = CliActor.of(spec, by);
        NodeSettings settings = config.node();
        FailoverSettings failover = settings.failover();
        Map<String, Object> status;
        try (HikariDataSource dataSource = Database.open(settings.database(), "status", 2)) {
            if (forget != null && !forget(dataSource, actor)) {
                return 1;
            }
            status = new ClusterStatus(dataSource, HostProbe.of(settings.database(), failover.probeTimeoutSeconds())).read();
            audit(dataSource, actor, status);
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

    /** Removes the node's row (audited as cluster.forget-node); false, with the reason on stderr, when it may not. */
    private boolean forget(DataSource dataSource, String actor) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            ClusterStatus.Forgotten outcome = ClusterStatus.forget(connection, forget);
            AuditLog.record(connection, actor, "cluster.forget-node", Map.of("node", AuditLog.excerpt(forget), "via", "cli"),
                    Map.of("outcome", outcome.name().toLowerCase(Locale.ROOT)));
            switch (outcome) {
                case FORGOTTEN -> {
                    // On stderr under --json, so that stdout stays one JSON document.
                    (json ? System.err : System.out).println("node " + forget
                            + " forgotten (removed from archive.nodes; it comes back if it starts again)");
                    return true;
                }
                case ALIVE -> System.err.println("archiver: node " + forget + " is up (it beat less than "
                        + NodeHeartbeat.STALE_AFTER.toSeconds() + " s ago): stop it before forgetting it");
                default -> System.err.println("archiver: no archive node named " + forget + " (see the list of ./archiver status)");
            }
            return false;
        }
    }

    /** As GET /v1/cluster audits: a page that could not be audited is still shown (it matters most when the database is in trouble). */
    private static void audit(DataSource dataSource, String actor, Map<String, Object> status) {
        if (status.containsKey("unavailable")) {
            System.err.println("archiver: status not written to the audit log: the archive database does not answer");
            return;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("primary", ((Map<?, ?>) status.get("database")).get("primary"));
        try {
            new AuditLog(dataSource).record(actor, "cluster.status", Map.of("via", "cli"), result);
        } catch (SQLException | RuntimeException e) {
            System.err.println("archiver: status not written to the audit log: " + e.getMessage());
        }
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
        out.printf("queues: %s waiting in the archive brokers, %s to replay%n",
                Plural.of((Long) queues.get("archiveBrokers"), "message"), Plural.of((Long) queues.get("deadLetters"), "dead letter"));
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
            boolean watching = ClusterStatus.WATCHING.equals(job.get("state"));
            out.printf("  %-32s %-16s %-18s %s%n", job.get("name"), job.get("schedule"), job.get("state"),
                    job.get("runningOn") != null ? (watching ? "on " : "running on ") + job.get("runningOn") : "next " + job.get("nextFire"));
        }
        out.println(conflicts((Map<?, ?>) status.get("conflicts")));
    }

    static String conflicts(Map<?, ?> conflicts) {
        long count = (Long) conflicts.get("count");
        return count == 0 ? "conflicts: 0"
                : "conflicts: " + count + " (latest " + conflicts.get("latest") + "; ./archiver conflicts list)";
    }

    private static String server(Map<?, ?> server) {
        String role = String.valueOf(server.get("role"));
        StringBuilder line = new StringBuilder(String.format("%-22s %-8s", server.get("host"), role));
        switch (role) {
            case "primary", "fenced" -> {
                List<?> replicas = (List<?>) server.get("replicas");
                line.append(Boolean.TRUE.equals(server.get("synchronous")) ? " synchronous" : " asynchronous")
                        .append(", ").append(Plural.of(replicas.size(), "standby", "standbys"));
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
