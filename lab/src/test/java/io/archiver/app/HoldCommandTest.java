package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.lab.LabPostgres;
import io.archiver.app.support.Cli;
import io.archiver.app.support.TestFiles;
import io.archiver.core.config.Config;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code hold add|release|list} against a real PostgreSQL: exit codes 0 / 1 / 2, outputs, rows and audit rows. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HoldCommandTest {

    private static final String OS_ACTOR = "cli:" + System.getProperty("user.name");

    @TempDir
    static Path dir;

    private LabPostgres postgres;
    private String config;
    private String unmigratedConfig;

    @BeforeAll
    void start() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        Path file = TestFiles.properties(dir.resolve("node.properties"),
                Map.of("db.url", postgres.jdbcUrl(), "db.user", LabPostgres.USER, "db.connectionTimeout", "2s"));
        config = file.toString();
        try (HikariDataSource dataSource = Database.open(Config.of(Map.of("db.url", postgres.jdbcUrl(), "db.user", LabPostgres.USER),
                Map.of()), "test")) {
            Migrations.migrate(dataSource);
        }
        try (Connection c = connect(postgres.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE unmigrated");
        }
        String unmigratedUrl = postgres.jdbcUrl().replace("/" + LabPostgres.DATABASE, "/unmigrated");
        unmigratedConfig = TestFiles.properties(dir.resolve("unmigrated.properties"),
                Map.of("db.url", unmigratedUrl, "db.user", LabPostgres.USER)).toString();
    }

    @AfterAll
    void stop() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void empty() throws Exception {
        execute("TRUNCATE archive.holds, archive.audit_log RESTART IDENTITY");
    }

    private static Connection connect(String url) throws Exception {
        return DriverManager.getConnection(url, LabPostgres.USER, "");
    }

    private void execute(String sql) throws Exception {
        try (Connection c = connect(postgres.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private List<List<Object>> rows(String sql) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection c = connect(postgres.jdbcUrl()); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private long count(String sql) throws Exception {
        return ((Number) rows(sql).get(0).get(0)).longValue();
    }

    private static Cli.Result run(String... args) {
        return Cli.run(args);
    }

    @Test
    void addPlacesAHoldInTheNormalFormAndAuditsIt() throws Exception {
        Cli.Result add = run("hold", "add", "--config", config, "--participant", "sip:Alice@Contoso.COM", "--reason", "matter 2026-17");
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(add.out()).isEqualTo("hold 1 placed on participant sip:Alice@contoso.com" + System.lineSeparator());
        assertThat(rows("SELECT id, participant, conversation_id, reason, placed_by, released_at FROM archive.holds"))
                .containsExactly(Arrays.asList(1L, "sip:Alice@contoso.com", null, "matter 2026-17", OS_ACTOR, null));
        assertThat(rows("SELECT actor, action, parameters->>'participant', (result->>'id')::bigint FROM archive.audit_log"))
                .containsExactly(List.of(OS_ACTOR, "hold.place", "sip:Alice@contoso.com", 1L));

        Cli.Result byName = run("hold", "add", "--config", config, "--conversation", "conf:room-9", "--reason", "r", "--by", "legal-jane");
        assertThat(byName.exit()).as(byName.err()).isZero();
        assertThat(byName.out()).startsWith("hold 2 placed on conversation conf:room-9");
        assertThat(rows("SELECT placed_by, conversation_id FROM archive.holds WHERE id = 2")).containsExactly(List.of("legal-jane", "conf:room-9"));
    }

    @Test
    void aSecondHoldOnTheSameTargetIsNewAndNamesTheFirst() throws Exception {
        assertThat(run("hold", "add", "--config", config, "--conversation", "dlg-1", "--reason", "matter A").exit()).isZero();
        Cli.Result second = run("hold", "add", "--config", config, "--conversation", "dlg-1", "--reason", "matter B");
        assertThat(second.exit()).isZero();
        assertThat(second.out()).contains("hold 2 placed on conversation dlg-1")
                .contains("note: conversation dlg-1 is also under active hold 1");
        assertThat(count("SELECT count(*) FROM archive.holds WHERE conversation_id = 'dlg-1' AND released_at IS NULL")).isEqualTo(2);
    }

    @Test
    void badUsageExitsTwoAndWritesNothing() throws Exception {
        Cli.Result both = run("hold", "add", "--config", config, "--participant", "sip:a@example.com", "--conversation", "d", "--reason", "r");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        Cli.Result neither = run("hold", "add", "--config", config, "--reason", "r");
        assertThat(neither.exit()).isEqualTo(2);
        assertThat(neither.err()).contains("--participant").contains("--conversation");
        Cli.Result badUri = run("hold", "add", "--config", config, "--participant", "alice@example.com", "--reason", "r");
        assertThat(badUri.exit()).isEqualTo(2);
        assertThat(badUri.err()).contains("--participant must be a SIP URI sip:user@domain, not 'alice@example.com'");
        Cli.Result noReason = run("hold", "add", "--config", config, "--conversation", "d");
        assertThat(noReason.exit()).isEqualTo(2);
        assertThat(noReason.err()).contains("--reason");
        Cli.Result blankReason = run("hold", "add", "--config", config, "--conversation", "d", "--reason", "  ");
        assertThat(blankReason.exit()).isEqualTo(2);
        assertThat(blankReason.err()).contains("--reason is required");
        Cli.Result longConversation = run("hold", "add", "--config", config, "--conversation", "x".repeat(300), "--reason", "r");
        assertThat(longConversation.exit()).isEqualTo(2);
        assertThat(longConversation.err()).contains("--conversation must be 1-256 characters, not 300");
        Cli.Result blankBy = run("hold", "add", "--config", config, "--conversation", "d", "--reason", "r", "--by", " ");
        assertThat(blankBy.exit()).isEqualTo(2);
        assertThat(blankBy.err()).contains("--by");
        Cli.Result nonNumeric = run("hold", "release", "--config", config, "abc");
        assertThat(nonNumeric.exit()).isEqualTo(2);
        assertThat(nonNumeric.err()).contains("hold id must be a positive whole number, not 'abc'");
        assertThat(run("hold", "release", "--config", config).exit()).as("no id").isEqualTo(2);
        assertThat(run("hold", "add", "--participant", "sip:a@example.com", "--reason", "r").exit()).as("no --config").isEqualTo(2);
        Cli.Result noSubcommand = run("hold");
        assertThat(noSubcommand.exit()).isEqualTo(2);
        assertThat(noSubcommand.err()).contains("add, release or list");
        assertThat(run("hold", "list", "--config", dir.resolve("absent.properties").toString()).exit()).isEqualTo(2);

        assertThat(count("SELECT count(*) FROM archive.holds")).isZero();
        assertThat(count("SELECT count(*) FROM archive.audit_log")).isZero();
    }

    @Test
    void releaseThenAgainThenUnknown() throws Exception {
        assertThat(run("hold", "add", "--config", config, "--participant", "sip:bob@example.com", "--reason", "case 5",
                "--by", "legal-jane").exit()).isZero();

        Cli.Result release = run("hold", "release", "--config", config, "1", "--by", "legal-ken");
        assertThat(release.exit()).as(release.err()).isZero();
        assertThat(release.out()).startsWith("hold 1 on participant sip:bob@example.com released by legal-ken (placed ")
                .contains("by legal-jane: case 5)").contains("eligible for purging again");
        assertThat(rows("SELECT released_by, released_at IS NOT NULL FROM archive.holds WHERE id = 1"))
                .containsExactly(List.of("legal-ken", true));

        Cli.Result again = run("hold", "release", "--config", config, "1");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).startsWith("archiver: hold 1 was already released at ").contains(" by legal-ken");
        assertThat(again.out()).isEmpty();

        Cli.Result unknown = run("hold", "release", "--config", config, "77");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no hold with id 77");

        assertThat(rows("SELECT actor, action, result->>'error' FROM archive.audit_log ORDER BY id")).containsExactly(
                Arrays.asList("legal-jane", "hold.place", null),
                Arrays.asList("legal-ken", "hold.release", null),
                List.of(OS_ACTOR, "hold.release", "already released"),
                List.of(OS_ACTOR, "hold.release", "unknown hold"));
    }

    @Test
    void releasingOneOfTwoHoldsSaysTheOtherStillHolds() throws Exception {
        run("hold", "add", "--config", config, "--conversation", "dlg-2", "--reason", "A");
        run("hold", "add", "--config", config, "--conversation", "dlg-2", "--reason", "B");
        Cli.Result release = run("hold", "release", "--config", config, "1");
        assertThat(release.exit()).isZero();
        assertThat(release.out()).contains("note: conversation dlg-2 is still under active hold 2");
    }

    @Test
    void listPrintsAnAlignedTableOrJsonAndIsAudited() throws Exception {
        Cli.Result empty = run("hold", "list", "--config", config);
        assertThat(empty.exit()).isZero();
        assertThat(empty.out()).startsWith("no active holds");

        run("hold", "add", "--config", config, "--participant", "sip:carol@example.com", "--reason", "matter 1\nsecond line", "--by", "ann");
        run("hold", "add", "--config", config, "--conversation", "conf:a-rather-long-room-name", "--reason", "matter 2", "--by", "bo");
        run("hold", "release", "--config", config, "1", "--by", "cy");

        Cli.Result active = run("hold", "list", "--config", config);
        assertThat(active.exit()).as(active.err()).isZero();
        List<String> lines = active.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("ID +TARGET +REASON +PLACED BY +PLACED AT +RELEASED");
        assertThat(lines.get(1)).matches("2 +conversation conf:a-rather-long-room-name +matter 2 +bo +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +-");
        for (String column : List.of("TARGET", "REASON", "PLACED BY")) {
            int at = lines.get(0).indexOf(column);
            assertThat(lines.get(1).charAt(at - 1)).as(column).isEqualTo(' ');
            assertThat(lines.get(1).charAt(at)).as(column).isNotEqualTo(' ');
        }

        Cli.Result all = run("hold", "list", "--config", config, "--all");
        List<String> allLines = all.out().lines().toList();
        assertThat(allLines).hasSize(3);
        assertThat(allLines.get(1)).startsWith("1 ").contains("participant sip:carol@example.com").contains("matter 1 second line")
                .endsWith(" by cy");
        int released = allLines.get(0).indexOf("RELEASED");
        assertThat(allLines.get(1).substring(released)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ by cy");
        assertThat(allLines.get(2).substring(released)).isEqualTo("-");

        Cli.Result json = run("hold", "list", "--config", config, "--all", "--json");
        assertThat(json.exit()).isZero();
        JsonNode holds = new ObjectMapper().readTree(json.out()).get("holds");
        assertThat(holds).hasSize(2);
        assertThat(holds.get(0).get("id").asLong()).isEqualTo(1);
        assertThat(holds.get(0).get("participant").asText()).isEqualTo("sip:carol@example.com");
        assertThat(holds.get(0).get("reason").asText()).isEqualTo("matter 1\nsecond line");
        assertThat(holds.get(0).get("releasedBy").asText()).isEqualTo("cy");
        assertThat(holds.get(0).get("active").asBoolean()).isFalse();
        assertThat(holds.get(1).get("conversation").asText()).isEqualTo("conf:a-rather-long-room-name");
        assertThat(holds.get(1).get("releasedAt").isNull()).isTrue();
        assertThat(holds.get(1).get("active").asBoolean()).isTrue();

        assertThat(rows("SELECT actor, parameters->>'all', (result->>'count')::int FROM archive.audit_log WHERE action = 'hold.list' ORDER BY id"))
                .containsExactly(List.of(OS_ACTOR, "false", 0), List.of(OS_ACTOR, "false", 1), List.of(OS_ACTOR, "true", 2),
                        List.of(OS_ACTOR, "true", 2));
    }

    @Test
    void withoutTheSchemaItSaysToMigrateAndExitsOne() throws Exception {
        for (String[] args : List.of(
                new String[] {"hold", "list", "--config", unmigratedConfig},
                new String[] {"hold", "add", "--config", unmigratedConfig, "--conversation", "d", "--reason", "r"},
                new String[] {"hold", "release", "--config", unmigratedConfig, "1"})) {
            Cli.Result run = run(args);
            assertThat(run.exit()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(run.err()).contains("run ./archiver migrate --config " + unmigratedConfig);
        }
        String unmigratedUrl = postgres.jdbcUrl().replace("/" + LabPostgres.DATABASE, "/unmigrated");
        try (Connection c = connect(unmigratedUrl); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'archive'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("hold must not create the schema").isZero();
        }
    }

    @Test
    void anUnreachableDatabaseExitsOne() throws Exception {
        Path unreachable = TestFiles.properties(dir.resolve("unreachable.properties"), Map.of(
                "db.url", "jdbc:postgresql://127.0.0.1:" + TestFiles.freePort() + "/archive", "db.user", "postgres",
                "db.connectionTimeout", "1s"));
        Cli.Result run = run("hold", "list", "--config", unreachable.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).startsWith("archiver: ");
    }

    @Test
    void asARealProcessTheExitCodesReachTheShell() throws Exception {
        assertThat(process("hold", "add", "--config", config, "--conversation", "dlg-p", "--reason", "process")).isZero();
        assertThat(process("hold", "release", "--config", config, "1")).isZero();
        assertThat(process("hold", "release", "--config", config, "1")).isEqualTo(1);
        assertThat(process("hold", "release", "--config", config, "one")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM archive.holds WHERE conversation_id = 'dlg-p' AND released_at IS NOT NULL")).isEqualTo(1);
    }

    private static int process(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.archiver.lab.LabMain"));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "hold-process", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("archiver " + String.join(" ", args) + " did not finish; see " + log);
        }
        return process.exitValue();
    }
}
