package io.archiver.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.app.support.ArchiveSeed;
import io.archiver.app.support.Cli;
import io.archiver.app.support.TestFiles;
import io.archiver.lab.LabPostgres;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./archiver verify} on a fresh archive: nothing is sealed yet, and it says why and when each day will be. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyOpenDaysTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private LabPostgres postgres;

    @BeforeAll
    void start() throws Exception {
        postgres = LabPostgres.start(dir.resolve("pg"));
        try (ArchiveSeed seed = new ArchiveSeed(postgres.jdbcUrl(), LabPostgres.USER)) {
            seed.day(0, 5, "today", "sip:alice@example.com", "c1");
        }
    }

    @AfterAll
    void stop() throws Exception {
        postgres.close();
    }

    private String config(Map<String, String> more) throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("db.url", postgres.jdbcUrl(), "db.user", LabPostgres.USER));
        settings.putAll(more);
        return TestFiles.properties(dir.resolve("node-" + more.hashCode() + ".properties"), settings).toString();
    }

    /** The first run of an hourly job at minute 17 at or after {@code t} (UTC; whole-hour zones agree). */
    private static String firstRunFrom(Instant t) {
        Instant hour = t.truncatedTo(ChronoUnit.HOURS).plus(17, ChronoUnit.MINUTES);
        Instant run = hour.isBefore(t) ? hour.plus(1, ChronoUnit.HOURS) : hour;
        return run.toString().substring(0, 16).replace('T', ' ') + " UTC";
    }

    @Test
    void todayIsOpenAndVerifySaysWhenItWillBeSealed() throws Exception {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Instant end = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Cli.Result text = Cli.run("verify", "--config", config(Map.of()));
        assertThat(text.exit()).as(text.err()).isZero();
        String tomorrow = end.toString().substring(0, 16).replace('T', ' ') + " UTC";
        assertThat(text.out()).contains(today + "  OPEN", "5 records")
                .contains("      open: today, still open (the UTC day ends at " + tomorrow + "); sealed after the grace of 1h, "
                        + "by the next hourly run at ~" + firstRunFrom(end.plus(1, ChronoUnit.HOURS)))
                .contains("no day here is sealed yet, so none was compared with a seal")
                .contains("result: OK: 0 days ok, 0 mismatch, 0 unsealed, 1 open; 0 records removed by recorded purges");

        Cli.Result json = Cli.run("verify", "--config", config(Map.of("integrity.grace", "2h")), "--json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode day = JSON.readTree(json.out()).get("days").get(0);
        assertThat(day.get("status").asText()).isEqualTo("open");
        assertThat(day.get("notes")).isNotNull();
        assertThat(day.get("unsealedBecause").asText()).startsWith("today, still open").contains("grace of 2h");
        assertThat(day.get("sealableAt").asText()).isEqualTo(end.plus(2, ChronoUnit.HOURS).toString());
        assertThat(Instant.parse(day.get("expectedSealAt").asText())).isEqualTo(end.plus(2, ChronoUnit.HOURS).plus(17, ChronoUnit.MINUTES));

        Cli.Result off = Cli.run("verify", "--config", config(Map.of("integrity.enabled", "false")));
        assertThat(off.out()).contains("no seal job runs here (integrity.enabled = false)");
    }
}
