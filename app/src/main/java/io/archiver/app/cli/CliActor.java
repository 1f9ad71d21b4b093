package io.archiver.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Who a command acts as in the audit log: {@code --by NAME}, or {@code cli:<OS user>} without it. */
final class CliActor {

    static final int MAX_LENGTH = 256;

    private CliActor() {
    }

    static String of(CommandSpec spec, String by) {
        if (by == null) {
            return "cli:" + System.getProperty("user.name", "unknown");
        }
        if (by.isBlank() || by.length() > MAX_LENGTH || by.codePoints().anyMatch(Character::isISOControl)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--by must be a name of 1-" + MAX_LENGTH + " characters without control characters");
        }
        return by.strip();
    }
}
