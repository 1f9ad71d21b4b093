package io.archiver.app.cli;

import io.archiver.retention.hold.HoldStore;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Who a command acts as in the audit log: {@code --by NAME}, or {@code cli:<OS user>} without it. */
final class CliActor {

    /** As long as a hold's {@code placed_by} may be. */
    static final int MAX_LENGTH = HoldStore.MAX_ACTOR_LENGTH;

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
