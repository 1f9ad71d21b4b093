package io.archiver.lab;

import io.archiver.app.Main;
import io.archiver.lab.bench.BenchCommand;
import io.archiver.lab.bench.ExportBenchCommand;
import io.archiver.lab.bench.PurgeBenchCommand;
import io.archiver.lab.drill.FailoverDrillCommand;
import picocli.CommandLine;

/**
 * The lab's jar ({@code lab/target/archiver-lab.jar}, what {@code ./archiver} runs): every product
 * command of {@link Main} plus the lab's tools: {@code lab}, {@code bench}, {@code bench-purge},
 * {@code failover-drill} and {@code export bench}.
 */
public final class LabMain {

    private LabMain() {
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cli = Main.commandLine()
                .addSubcommand(new LabCommand())
                .addSubcommand(new BenchCommand())
                .addSubcommand(new PurgeBenchCommand())
                .addSubcommand(new FailoverDrillCommand());
        cli.getSubcommands().get("export").addSubcommand(new ExportBenchCommand());
        return Main.execute(cli, args);
    }
}
