package io.archiver.app;

import io.archiver.app.cli.ConfigCommand;
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
                ConfigCommand.class,
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
            System.err.println("see 'archiver --help'");
            return EXIT_USAGE;
        }
        return execute(commandLine(), args);
    }

    /**
     * The product's commands with the exit-code handling; the lab adds its tools to it. A usage error,
     * whether picocli finds it while parsing or a command finds it ({@link CommandLine.ParameterException},
     * {@link ConfigException}), prints two lines on stderr, {@code archiver: <what is wrong>} and
     * {@code see 'archiver COMMAND --help'}, and exits {@value #EXIT_USAGE}; picocli's own handler would
     * print the whole help, in which the one useful line scrolls away.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, args) -> usageError(e.getCommandLine(), usageMessage(e)));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CommandLine.ParameterException p) {
                return usageError(p.getCommandLine() != null ? p.getCommandLine() : commandLine, usageMessage(p));
            }
            if (e instanceof ConfigException) {
                return usageError(commandLine, e.getMessage());
            }
            commandLine.getErr().println("archiver: " + describe(e));
            if (System.getenv("ARCHIVER_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return EXIT_FAILED;
        });
        return cli;
    }

    /** The two lines of every usage error: what is wrong, and where the command's help is. */
    private static int usageError(CommandLine command, String message) {
        java.io.PrintWriter err = command.getErr();
        err.println("archiver: " + oneLine(message));
        err.println("see '" + command.getCommandSpec().qualifiedName() + " --help'");
        err.flush();
        return EXIT_USAGE;
    }

    /** Picocli's message, an unknown command said as such, with picocli's first suggestion when it has one. */
    private static String usageMessage(CommandLine.ParameterException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceFirst("^Error: ", "");
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && e.getCommandLine() != null) {
            java.util.List<String> args = unmatched.getUnmatched();
            String first = args.isEmpty() ? "" : args.get(0);
            if (!e.getCommandLine().getSubcommands().isEmpty() && !first.startsWith("-")
                    && e.getCommandLine().getCommandSpec().positionalParameters().isEmpty()) {
                message = "unknown command '" + first + "'";
            }
            java.util.List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                message += " (did you mean " + suggestions.get(0) + "?)";
            }
        }
        return message;
    }

    /** A file that is not there named as such (the JDK's message is the bare path). */
    private static String firstLine(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException f && f.getReason() == null) {
            return "no such file: " + f.getFile();
        }
        if (e instanceof java.nio.file.AccessDeniedException f && f.getReason() == null) {
            return "permission denied: " + f.getFile();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    public static int execute(CommandLine cli, String... args) {
        return cli.execute(args);
    }

    private static String describe(Throwable e) {
        StringBuilder message = new StringBuilder(firstLine(e));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(": ").append(cause.getMessage());
            }
        }
        return message.toString();
    }
}
