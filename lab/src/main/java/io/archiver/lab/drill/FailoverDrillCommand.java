package io.archiver.lab.drill;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.app.NodeSettings;
import io.archiver.core.config.Config;
import io.archiver.core.config.Role;
import io.archiver.store.AuditLog;
import io.archiver.store.Database;
import io.archiver.store.DatabaseSettings;
import io.archiver.cluster.failover.HostProbe;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code failover-drill --config DIR/node.properties}: against a running lab, kills the database primary
 * under load, lets the archive node promote the standby, and reports detection, takeover and the time
 * until writes resume, then whether every accepted record was archived exactly once. Exit codes: 0 every
 * drill failed over with nothing lost or doubled; 1 otherwise (no failover, lost or doubled records, no
 * lab); 2 bad usage.
 */
@Command(name = "failover-drill", mixinStandardHelpOptions = true,
        description = "Lab: fail the database primary under load, promote the standby, report takeover time, lost and duplicated records.")
public final class FailoverDrillCommand implements Callable<Integer> {

    static final String ACTION = "failover-drill";

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the lab's node config (DIR/node.properties)")
    Path config;

    @Option(names = "--lab", paramLabel = "FILE", description = "the lab's lab.json (default: lab.json beside --config)")
    Path lab;

    @Option(names = "--drills", defaultValue = "1", paramLabel = "N", description = "drills to run one after another (default ${DEFAULT-VALUE})")
    int drills;

    @Option(names = "--rate", defaultValue = "300", paramLabel = "R", description = "records per second of load (default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--before", defaultValue = "5s", paramLabel = "DURATION", description = "load before the kill (default ${DEFAULT-VALUE})")
    String before;

    @Option(names = "--after", defaultValue = "5s", paramLabel = "DURATION",
            description = "load after writes resume (default ${DEFAULT-VALUE})")
    String after;

    @Option(names = "--drain-timeout", defaultValue = "120s", paramLabel = "DURATION",
            description = "how long to wait for every accepted record to be archived (default ${DEFAULT-VALUE})")
    String drainTimeout;

    @Option(names = "--json", description = "print the report as JSON (stdout then carries only the JSON; progress goes to stderr)")
    boolean json;

    @Override
    public Integer call() throws Exception {
        DrillSettings settings = settings();
        DatabaseSettings database = NodeSettings.from(Config.load(config, Role.NODE)).database();
        Path labFile = lab != null ? lab : config.toAbsolutePath().resolveSibling("lab.json");
        if (lab != null && !LabFile.exists(lab)) {
            throw new ParameterException(spec.commandLine(), "--lab: no such file " + lab);
        }
        PrintStream out = System.out;
        PrintStream progress = System.err;
        if (!LabFile.exists(labFile)) {
            progress.println("archiver: no " + labFile + ": is ./archiver lab running with this --config? (or give --lab FILE)");
            return 1;
        }
        String actor = "cli:" + System.getProperty("user.name", "unknown");
        String run = "drill-" + UUID.randomUUID().toString().substring(0, 8);
        List<DrillResult> results = new ArrayList<>();
        boolean audited = true;
        try (HikariDataSource dataSource = Database.open(database, ACTION, 2)) {
            HostProbe probe = HostProbe.of(database, 2);
            FailoverDrill drill = new FailoverDrill(labFile, new ClusterReadiness(labFile, probe, progress), dataSource, settings, progress);
            AuditLog audit = new AuditLog(dataSource);
            for (int number = 1; number <= settings.drills(); number++) {
                DrillResult result = drill.run(number, run + "-" + number);
                results.add(result);
                if (!json) {
                    out.print(DrillReport.text(result, settings.drills()));
                }
                audited &= audit(audit, actor, settings, labFile, result, progress);
                if (!result.failedOver()) {
                    // without a failover there is no primary, or no standby, for the next drill either
                    if (number < settings.drills()) {
                        progress.println("failover-drill: stopping; drills " + (number + 1) + "-" + settings.drills() + " not run");
                    }
                    break;
                }
            }
        }
        DrillReport report = new DrillReport(settings, results);
        out.print(json ? report.json() + System.lineSeparator() : report.summaryText());
        results.stream().filter(r -> r.problem != null)
                .forEach(r -> progress.println("archiver: drill " + r.number + ": " + r.problem));
        return report.ok() && audited ? 0 : 1;
    }

    private DrillSettings settings() {
        if (drills < 1 || drills > 1000) {
            throw new ParameterException(spec.commandLine(), "--drills must be from 1 to 1000, not " + drills);
        }
        if (!(rate > 0) || rate > 100_000) {
            throw new ParameterException(spec.commandLine(), "--rate must be more than 0 and at most 100000 records per second");
        }
        return new DrillSettings(drills, rate, duration("--before", before), duration("--after", after),
                duration("--drain-timeout", drainTimeout));
    }

    private Duration duration(String option, String text) {
        return Config.parseDuration(text).filter(d -> !d.isNegative() && !d.isZero()).orElseThrow(() ->
                new ParameterException(spec.commandLine(), option + " must be a positive duration such as 5s, 2m or PT30S, not '" + text + "'"));
    }

    /**
     * One audit row per drill. Retried for a while: the pool may still be finding the new primary. False
     * (and said) when it could not be written.
     */
    private static boolean audit(AuditLog audit, String actor, DrillSettings settings, Path labFile, DrillResult result,
                                 PrintStream progress) throws InterruptedException {
        Map<String, Object> parameters = new LinkedHashMap<>(settings.toMap());
        parameters.put("drill", result.number);
        parameters.put("lab", labFile.toAbsolutePath().toString());
        Map<String, Object> outcome = result.toMap();
        outcome.remove("lostIds");
        outcome.remove("doubledIds");
        SQLException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                audit.record(actor, ACTION, parameters, outcome);
                return true;
            } catch (SQLException e) {
                last = e;
                TimeUnit.SECONDS.sleep(2);
            }
        }
        progress.println("archiver: drill " + result.number + ": the archive.audit_log row was not written: " + last.getMessage());
        return false;
    }
}
