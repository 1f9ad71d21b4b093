package io.archiver.app;

import io.archiver.app.cli.ConflictsCommand;
import io.archiver.app.cli.ExportCommand;
import io.archiver.app.cli.FrontendCommand;
import io.archiver.app.cli.HoldCommand;
import io.archiver.app.cli.MigrateCommand;
import io.archiver.app.cli.NodeCommand;
import io.archiver.app.cli.PurgeCommand;
import io.archiver.app.cli.ReplayDeadLettersCommand;
import io.archiver.app.cli.StatusCommand;
import io.archiver.app.cli.VerifyCommand;
import io.archiver.app.send.SendCommand;
import io.archiver.core.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code archiver COMMAND ...}. Exit codes for every command (contract section 1): 0 done, 1 the work
 * failed (message on stderr), 2 bad usage (unknown option, bad value, bad configuration).
 */
@Command(name = "archiver", mixinStandardHelpOptions = true, version = "archiver 0.1.0",
        description = "IM archiving pipeline: front-end spools, archive broker, PostgreSQL archive.",
        subcommands = {
                FrontendCommand.class,
                NodeCommand.class,
                MigrateCommand.class,
                SendCommand.class,
                ReplayDeadLettersCommand.class,
                HoldCommand.class,
                PurgeCommand.class,
                VerifyCommand.class,
                ExportCommand.class,
                StatusCommand.class,
                ConflictsCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (try 'archiver help')");
    }

    /** The lab's tools, which ship in the lab's jar, not in this one. */
    private static final java.util.Set<String> LAB_TOOLS = java.util.Set.of("lab", "bench", "bench-purge", "failover-drill");

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        if (args.length > 0 && LAB_TOOLS.contains(args[0])) {
            System.err.println("archiver: '" + args[0] + "' is a lab tool: run it as ./archiver " + args[0]
                    + " (or java -jar lab/target/archiver-lab.jar " + args[0] + ")");
            return EXIT_USAGE;
        }
        return execute(commandLine(), args);
    }

    /** The product's commands with the exit-code handling; the lab adds its tools to it. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof CommandLine.ParameterException) {
                commandLine.getErr().println("archiver: " + e.getMessage());
                return EXIT_USAGE;
            }
            commandLine.getErr().println("archiver: " + describe(e));
            if (System.getenv("ARCHIVER_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return EXIT_FAILED;
        });
        return cli;
    }

    public static int execute(CommandLine cli, String... args) {
        return cli.execute(args);
    }

    private static String describe(Throwable e) {
        StringBuilder message = new StringBuilder(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(": ").append(cause.getMessage());
            }
        }
        return message.toString();
    }
}
