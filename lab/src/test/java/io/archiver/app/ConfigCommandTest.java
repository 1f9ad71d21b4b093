package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.archiver.app.support.Cli;
import io.archiver.app.support.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code config check}: strict validation (exit 2 naming the key meant), the effective configuration with secrets masked. */
class ConfigCommandTest {

    @TempDir
    Path dir;

    private Path nodeFile(Map<String, String> extra) throws Exception {
        Path password = Files.writeString(dir.resolve("db_password"), "pg-s3cret\n");
        Map<String, String> values = new LinkedHashMap<>();
        values.put("node.name", "node-7");
        values.put("db.url", "jdbc:postgresql://127.0.0.1:5432/archive");
        values.put("db.user", "archiver");
        values.put("db.passwordFile", password.toString());
        values.put("integrity.key", "hmac-s3cret");
        values.put("retention.days", "30");
        values.put("retention.override.domain:example.com", "365");
        values.putAll(extra);
        return TestFiles.properties(dir.resolve("node.properties"), values);
    }

    @Test
    void checkPrintsTheEffectiveNodeConfigurationWithSecretsMasked() throws Exception {
        Cli.Result result = Cli.run("config", "check", "--config", nodeFile(Map.of()).toString());
        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("configuration OK")
                .contains("as a node's (detected: no key only a front-end reads)")
                .containsPattern("node\\.name +node-7 +.*node\\.properties")
                .containsPattern("retention\\.days +30 ")
                .containsPattern("retention\\.hourOfDay +2 +default")
                .containsPattern("retention\\.cron +0 0 2 \\* \\* \\? +default")
                .containsPattern("db\\.password +\\*\\*\\*\\* +.*\\(db\\.passwordFile\\)")
                .containsPattern("integrity\\.key +\\*\\*\\*\\* ")
                .containsPattern("retention\\.override\\.domain:example\\.com +365 ")
                .doesNotContain("pg-s3cret")
                .doesNotContain("hmac-s3cret")
                .doesNotContain("spool.dir");
    }

    @Test
    void checkDetectsAFrontEndFileOrTakesTheRoleGiven() throws Exception {
        Path tokens = TestFiles.tokens(dir);
        Path file = TestFiles.properties(dir.resolve("frontend.properties"),
                Map.of("tokens.file", tokens.toString(), "spool.dir", dir.resolve("spool").toString(), "http.port", "8090"));
        Cli.Result detected = Cli.run("config", "check", "--config", file.toString());
        assertThat(detected.exit()).as(detected.err()).isZero();
        assertThat(detected.out()).contains("as a front-end's (detected from front-end keys: spool.dir)")
                .containsPattern("http\\.port +8090 ")
                .containsPattern("amqp\\.port +5672 +default")
                .containsPattern("amqp\\.host +127\\.0\\.0\\.1 +default")
                .doesNotContain("retention.days");
        Cli.Result asNode = Cli.run("config", "check", "--config", file.toString(), "--role", "node");
        assertThat(asNode.exit()).isEqualTo(2);
        assertThat(asNode.err()).contains("spool.dir").contains("is a front-end setting, not read by a node");
    }

    @Test
    void aTypoExitsTwoNamingTheKeyMeant() throws Exception {
        Path file = nodeFile(Map.of("retention.dayz", "30"));
        Cli.Result check = Cli.run("config", "check", "--config", file.toString());
        assertThat(check.exit()).isEqualTo(2);
        assertThat(check.err()).contains("unknown setting retention.dayz").contains(file.toString())
                .contains("did you mean retention.days?");
        Cli.Result node = Cli.run("node", "--config", file.toString());
        assertThat(node.exit()).as("the node refuses the same file at start").isEqualTo(2);
        assertThat(node.err()).contains("did you mean retention.days?");
        Cli.Result migrate = Cli.run("migrate", "--config", file.toString());
        assertThat(migrate.exit()).as("so do the CLI commands").isEqualTo(2);
        assertThat(migrate.err()).contains("retention.dayz");
    }

    @Test
    void aBadValueOrAMissingRequiredKeyExitsTwo() throws Exception {
        Cli.Result badValue = Cli.run("config", "check", "--config", nodeFile(Map.of("failover.misses", "0")).toString());
        assertThat(badValue.exit()).isEqualTo(2);
        assertThat(badValue.err()).contains("failover.misses").contains("from 1 to 100");
        Path noUrl = TestFiles.properties(dir.resolve("no-url.properties"), Map.of("node.name", "n"));
        Cli.Result missing = Cli.run("config", "check", "--config", noUrl.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("missing required setting db.url").contains("ARCHIVER_DB_URL");
    }

    @Test
    void theConfigurationsOfTheRepositoryPassTheCheck() {
        // docker/node.properties leaves db.url to the environment (docker-compose.yml sets ARCHIVER_DB_URL);
        // the in-process check cannot set it, so it is given as the front-end file is: as a file of its role.
        Path docker = Path.of("..", "docker");
        Cli.Result frontend = Cli.run("config", "check", "--config", docker.resolve("frontend.properties").toString());
        assertThat(frontend.exit()).as(frontend.err()).isZero();
        assertThat(frontend.out()).contains("as a front-end's");
        Cli.Result node = Cli.run("config", "check", "--config", docker.resolve("node.properties").toString());
        assertThat(node.err()).as("the only complaint is the database URL the environment supplies")
                .contains("db.url").doesNotContain("unknown");
    }
}
