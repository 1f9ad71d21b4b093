package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.archiver.app.support.Cli;
import io.archiver.app.support.TestFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command's usage errors as a user sees them: at most three lines on stderr, the last
 * {@code see 'archiver COMMAND --help'}, nothing on stdout, exit 2. Nothing here reaches a database: each
 * error is found before.
 */
class UsageErrorsTest {

    @TempDir
    static Path dir;

    private static String config;
    private static String missing;

    @BeforeAll
    static void files() throws Exception {
        config = TestFiles.properties(dir.resolve("node.properties"), Map.of("db.url",
                "jdbc:postgresql://127.0.0.1:" + TestFiles.freePort() + "/archive", "db.user", "postgres")).toString();
        missing = dir.resolve("nope.properties").toString();
    }

    private record Case(String command, String[] args) {
    }

    private static Case usage(String command, String... args) {
        return new Case(command, args);
    }

    @Test
    void everyCommandsUsageErrorsAreTwoLinesEndingWithWhereTheHelpIs() throws Exception {
        Path retention = TestFiles.properties(dir.resolve("bad-retention.properties"), Map.of("retention.days", "3000"));
        List<Case> cases = List.of(
                usage("frontend", "frontend"),
                usage("frontend", "frontend", "--config", config, "--bogus"),
                usage("frontend", "frontend", "--config", missing),
                usage("node", "node"),
                usage("node", "node", "--bogus", "--config", config),
                usage("node", "node", "--config", retention.toString()),
                usage("migrate", "migrate"),
                usage("migrate", "migrate", "--config", config, "--bogus"),
                usage("migrate", "migrate", "--config", missing),
                usage("send", "send", "--token", "t", "x.ndjson"),
                usage("send", "send", "--url", "http://127.0.0.1:1", "--bogus"),
                usage("send", "send", "--url", "http://127.0.0.1:1", "--token", "t", "--batch", "many"),
                usage("send", "send", "--url", "http://127.0.0.1:1", "--token", "t", "--batch", "0"),
                usage("send", "send", "--url", "http://127.0.0.1:1", "--token", "t", "--give-up-after", "soon"),
                usage("replay-dead-letters", "replay-dead-letters"),
                usage("replay-dead-letters", "replay-dead-letters", "--config", config, "--bogus"),
                usage("replay-dead-letters", "replay-dead-letters", "--config", missing),
                usage("hold", "hold"),
                usage("hold", "hold", "--config", config),
                usage("hold add", "hold", "add", "--config", config, "--participant", "sip:a@example.com"),
                usage("hold add", "hold", "add", "--config", config, "--reason", "case 1"),
                usage("hold add", "hold", "add", "--config", config, "--reason", "r", "--participant", "sip:a@example.com", "--conversation", "c"),
                usage("hold add", "hold", "add", "--config", config, "--reason", "r", "--participant", "alice@example.com"),
                usage("hold add", "hold", "add", "--config", config, "--reason", "r", "--conversation", "c", "--bogus"),
                usage("hold release", "hold", "release", "--config", config),
                usage("hold release", "hold", "release", "--config", config, "abc"),
                usage("hold release", "hold", "release", "--config", config, "1", "--bogus"),
                usage("hold list", "hold", "list"),
                usage("hold list", "hold", "list", "--config", config, "--bogus"),
                usage("hold list", "hold", "list", "--config", config, "--by", " "),
                usage("purge", "purge", "--config", config),
                usage("purge", "purge", "--older-than-days", "60"),
                usage("purge", "purge", "--config", config, "--older-than-days", "5", "--older-than-hours", "5"),
                usage("purge", "purge", "--config", config, "--older-than-days", "x"),
                usage("purge", "purge", "--config", config, "--older-than-days", "0"),
                usage("purge", "purge", "--config", config, "--older-than-days", "60", "--bogus"),
                usage("verify", "verify"),
                usage("verify", "verify", "--config", config, "--bogus"),
                usage("verify", "verify", "--config", config, "--from", "yesterday"),
                usage("export", "export", "--config", config),
                usage("export", "export", "--from", "2026-01-01", "--to", "2026-01-02", "--format", "csv", "--out", dir.resolve("x").toString()),
                usage("export", "export", "--config", config, "--from", "2026-01-01", "--to", "2026-01-02", "--format", "pdf",
                        "--out", dir.resolve("x").toString()),
                usage("export", "export", "--config", config, "--from", "last week", "--to", "2026-01-02", "--format", "csv",
                        "--out", dir.resolve("x").toString(), "--bogus"),
                usage("status", "status"),
                usage("status", "status", "--config", config, "--bogus"),
                usage("status", "status", "--config", missing),
                usage("status", "status", "--config", config, "--by", " "),
                usage("status", "status", "--config", config, "--forget"),
                usage("conflicts", "conflicts"),
                usage("conflicts", "conflicts", "--config", config),
                usage("conflicts list", "conflicts", "list"),
                usage("conflicts list", "conflicts", "list", "--config", config, "--bogus"),
                usage("conflicts list", "conflicts", "list", "--config", config, "--limit", "0"),
                usage("conflicts list", "conflicts", "list", "--config", config, "--limit", "many"),
                usage("conflicts list", "conflicts", "list", "--config", missing),
                usage("lab", "lab", "--bogus"),
                usage("lab", "lab", "--frontends"),
                usage("lab", "lab", "--frontends", "0"),
                usage("lab", "lab", "--duration", "soon"),
                usage("lab", "lab", "--rate", "fast"),
                usage("bench", "bench", "--bogus"),
                usage("bench", "bench", "--records"),
                usage("bench", "bench", "--batch", "5000"),
                usage("failover-drill", "failover-drill"),
                usage("failover-drill", "failover-drill", "--config", config, "--bogus"),
                usage("failover-drill", "failover-drill", "--config", config, "--drills", "0"),
                usage("failover-drill", "failover-drill", "--config", config, "--rate", "x"),
                usage("", "no-such-command"),
                usage(""));
        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
            Cli.Result r = Cli.run(c.args());
            List<String> lines = r.err().lines().toList();
            String see = "see 'archiver" + (c.command().isEmpty() ? "" : " " + c.command()) + " --help'";
            if (r.exit() != 2 || !r.out().isEmpty() || lines.size() > 3 || lines.size() < 2 || !lines.get(lines.size() - 1).equals(see)
                    || !lines.get(0).startsWith("archiver: ")) {
                wrong.add(String.join(" ", c.args()) + " -> exit " + r.exit() + ", out [" + r.out() + "], err [" + r.err() + "]");
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void oneWordingPerKindOfError() {
        for (String[] args : List.of(new String[] {"migrate"}, new String[] {"node"}, new String[] {"frontend"},
                new String[] {"status"}, new String[] {"conflicts", "list"}, new String[] {"verify"}, new String[] {"replay-dead-letters"}, new String[] {"hold", "list"},
                new String[] {"purge", "--older-than-days", "1"}, new String[] {"failover-drill"},
                new String[] {"export", "--from", "2026-01-01", "--to", "2026-01-02", "--format", "csv", "--out", "x"})) {
            assertThat(Cli.run(args).err()).as(String.join(" ", args)).startsWith("archiver: Missing required option: '--config=FILE'\n");
        }
        Cli.Result unknown = Cli.run("verify", "--config", config, "--frm");
        assertThat(unknown.err()).startsWith("archiver: Unknown option: '--frm'").contains("did you mean --from?");
        assertThat(Cli.run("no-such-command").err()).startsWith("archiver: unknown command 'no-such-command'");
        assertThat(Cli.run("purge", "--config", config).err())
                .startsWith("archiver: Missing required argument (specify one of these): (--older-than-days=N | --older-than-hours=N)");
        assertThat(Cli.run("hold", "add", "--config", config, "--reason", "r").err()).contains("(--participant=URI | --conversation=ID)");
        assertThat(Cli.run("migrate", "--config", missing).err()).contains("does not exist").endsWith("see 'archiver migrate --help'\n");
    }

    @Test
    void theProductJarNamesALabToolAsSuch() {
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Main.execute("bench");
        } finally {
            System.setErr(old);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList()).hasSize(2)
                .satisfies(lines -> assertThat(lines.get(0)).startsWith("archiver: 'bench' is a lab tool"))
                .satisfies(lines -> assertThat(lines.get(1)).isEqualTo("see 'archiver --help'"));
    }

    @Test
    void theUsageShowsRequiredOptionsAsRequired() {
        assertThat(Cli.run("export", "--help").out()).contains(" --config=FILE", " --format=eml|jsonl|csv --from=T --out=DIR --to=T")
                .doesNotContain("[--config=", "[--from=", "[--to=", "[--format=", "[--out=");
        assertThat(Cli.run("purge", "--help").out().replaceAll("\\s+", " ")).contains("(--older-than-days=N | --older-than-hours=N)");
        assertThat(Cli.run("send", "--help").out()).contains("--url=<url>").doesNotContain("[--url=<url>]");
    }
}
