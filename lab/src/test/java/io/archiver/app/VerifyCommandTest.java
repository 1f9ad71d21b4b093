package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.lab.LabPostgres;
import io.archiver.app.support.ArchiveSeed;
import io.archiver.app.support.Cli;
import io.archiver.app.support.Db;
import io.archiver.app.support.TestFiles;
import io.archiver.compliance.integrity.IntegritySealer;
import io.archiver.compliance.integrity.IntegritySettings;
import io.archiver.core.config.Config;
import io.archiver.store.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./archiver verify}: exit 0 on a sealed, untouched archive, 1 once a row is changed through SQL, 2 on bad usage. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private LabPostgres postgres;
    private String config;

    @BeforeAll
    void start() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        try (ArchiveSeed seed = new ArchiveSeed(postgres.jdbcUrl(), LabPostgres.USER)) {
            seed.day(3, 30, "d3", "sip:alice@example.com", "c1");
            seed.day(2, 20, "d2", "sip:bob@example.com", "c2");
        }
        Map<String, String> settings = Map.of("db.url", postgres.jdbcUrl(), "db.user", LabPostgres.USER);
        config = TestFiles.properties(dir.resolve("node.properties"), settings).toString();
        try (HikariDataSource db = Database.open(Config.of(settings, Map.of()), "seal")) {
            IntegritySealer.SealRun run = new IntegritySealer(db, IntegritySettings.defaults().withGrace(Duration.ZERO), "test").run(Instant.now());
            assertThat(run.sealed()).hasSize(2);
        }
    }

    @AfterAll
    void stop() throws Exception {
        postgres.close();
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(Cli.run("verify", "--config", config, "--from", "yesterday")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("--from 'yesterday' is not a time");
        });
        assertThat(Cli.run("verify", "--config", config, "--from", "2026-03-02", "--to", "2026-03-01").exit()).isEqualTo(2);
        assertThat(Cli.run("verify").exit()).isEqualTo(2);
    }

    @Test
    void anUntouchedArchivePassesAndAChangedRowFails() throws Exception {
        Cli.Result ok = Cli.run("verify", "--config", config, "--by", "auditor-1");
        assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).contains("result: OK").contains(LocalDate.now(ZoneOffset.UTC).minusDays(3) + "  OK");

        Cli.Result json = Cli.run("verify", "--config", config, "--json", "--from", LocalDate.now(ZoneOffset.UTC).minusDays(2).toString());
        assertThat(json.exit()).isZero();
        JsonNode report = JSON.readTree(json.out());
        assertThat(report.get("ok").asBoolean()).isTrue();
        assertThat(report.get("days")).hasSize(1);
        assertThat(report.get("days").get(0).get("records").asLong()).isEqualTo(20);

        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), LabPostgres.USER, "")) {
            c.createStatement().execute("UPDATE archive.messages SET body = 'changed' WHERE record_id = 'd2-4'");
        }
        Cli.Result bad = Cli.run("verify", "--config", config, "--json");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("MISMATCH");
        JsonNode findings = JSON.readTree(bad.out()).get("days").get(1).get("findings");
        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).get("kind").asText()).isEqualTo("content-changed");
        assertThat(findings.get(0).get("ids").get(0).asText()).isEqualTo("d2-4");

        Cli.Result text = Cli.run("verify", "--config", config);
        assertThat(text.exit()).isEqualTo(1);
        assertThat(text.out()).contains("content-changed (1) d2-4").contains("result: MISMATCH");

        assertThat(new Db(postgres.jdbcUrl()).count("SELECT count(*) FROM archive.audit_log WHERE action = 'verify'")).isEqualTo(4);
        assertThat(new Db(postgres.jdbcUrl()).count("SELECT count(*) FROM archive.audit_log WHERE action = 'verify' AND actor = 'auditor-1' "
                + "AND (result->>'ok')::boolean")).isEqualTo(1);
    }
}
