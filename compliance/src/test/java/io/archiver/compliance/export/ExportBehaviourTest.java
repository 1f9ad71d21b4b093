package io.archiver.compliance.export;

import static io.archiver.compliance.export.ExportFixture.FROM;
import static io.archiver.compliance.export.ExportFixture.TO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.Database;
import io.archiver.store.Incoming;
import io.archiver.store.Migrations;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Selection by time, participants and conversations; --mark-exported; refusals; a failed export leaves nothing that looks done. */
class ExportBehaviourTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    @TempDir
    Path temp;

    private HikariDataSource db;
    private ExportFixture fixture;

    @BeforeEach
    void archive() throws Exception {
        db = Database.open(PG.config(PG.createDatabase()), "export-behaviour");
        Migrations.migrate(db);
        fixture = ExportFixture.standard();
        fixture.writeTo(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private ExportResult export(Path out, List<String> participants, List<String> conversations, boolean mark) throws Exception {
        ExportQuery query = ExportQuery.of(FROM, TO, participants, conversations, "jsonl", mark, ExportQuery.Names.CLI);
        return new Exporter(db).export(query, out, "tester", Exporter.Progress.NONE, () -> false);
    }

    private static List<String> ids(Path out) throws Exception {
        Readback.verifiedFiles(out);
        return Readback.jsonl(out.resolve("records.jsonl")).stream().map(o -> o.get("id").getAsString()).toList();
    }

    private List<String> expected(java.util.function.Predicate<ArchiveRecord> filter) {
        return fixture.inRange().stream().filter(filter).map(ArchiveRecord::id).toList();
    }

    @Test
    void theRangeIncludesFromAndExcludesTo() throws Exception {
        export(temp.resolve("all"), List.of(), List.of(), false);
        List<String> ids = ids(temp.resolve("all"));
        assertThat(ids).contains("a-0", "c-1").doesNotContain("c-2", "c-3", "d-0", "d-1");
        assertThat(ids).isEqualTo(expected(r -> true));
    }

    @Test
    void participantsMatchSenderOrRecipientInTheirNormalForm() throws Exception {
        export(temp.resolve("dave"), List.of("sip:dave@PARTNER.Example.NET"), List.of(), false);
        assertThat(ids(temp.resolve("dave"))).isEqualTo(expected(r -> r.from().equals(ExportFixture.DAVE) || r.to().contains(ExportFixture.DAVE)))
                .containsExactly("b-1", "c-0", "b-2", "c-1");
        export(temp.resolve("two"), List.of(ExportFixture.ONEIL, ExportFixture.ERIN), List.of(), false);
        assertThat(ids(temp.resolve("two"))).containsExactly("b-1", "c-0", "b-2", "c-1");
        JsonObject manifest = Readback.manifest(temp.resolve("dave"));
        assertThat(Readback.strings(manifest.getAsJsonObject("query").getAsJsonArray("participants")))
                .containsExactly("sip:dave@partner.example.net");
    }

    @Test
    void conversationsAndParticipantsCombine() throws Exception {
        export(temp.resolve("conv"), List.of(), List.of(ExportFixture.CONF, ExportFixture.OTHER), false);
        assertThat(ids(temp.resolve("conv"))).isEqualTo(expected(r -> !r.conversationId().equals(ExportFixture.P2P)));
        export(temp.resolve("both"), List.of(ExportFixture.ALICE), List.of(ExportFixture.CONF, ExportFixture.OTHER), false);
        assertThat(ids(temp.resolve("both"))).containsExactly("b-1", "b-2");
        export(temp.resolve("none"), List.of("sip:nobody@example.com"), List.of(), false);
        assertThat(ids(temp.resolve("none"))).isEmpty();
        assertThat(Files.size(temp.resolve("none/records.jsonl"))).isZero();
    }

    @Test
    void markExportedSetsExportedAtOnExactlyTheExportedRows() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        ExportResult result = export(temp.resolve("mark"), List.of(ExportFixture.BOB), List.of(), true);
        List<String> exported = ids(temp.resolve("mark"));
        assertThat(exported).isNotEmpty();
        assertThat(result.markedExported()).isEqualTo(exported.size());
        assertThat(Readback.manifest(temp.resolve("mark")).get("markedExported").getAsLong()).isEqualTo(exported.size());

        Set<String> marked = new TreeSet<>();
        for (Map<String, Object> row : Sql.rows(db, "SELECT record_id, exported_at FROM archive.messages WHERE exported_at IS NOT NULL")) {
            marked.add((String) row.get("record_id"));
            assertThat(((java.sql.Timestamp) row.get("exported_at")).toInstant()).isAfter(before).isBefore(Instant.now().plusSeconds(1));
        }
        assertThat(marked).containsExactlyInAnyOrderElementsOf(exported);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.audit_log WHERE action = 'export' AND actor = 'tester' "
                + "AND (parameters->>'markExported')::boolean AND (result->>'markedExported')::int = " + exported.size())).isEqualTo(1);

        export(temp.resolve("plain"), List.of(), List.of(), false);
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE exported_at IS NOT NULL")).isEqualTo(exported.size());
    }

    @Test
    void markExportedWorksInEveryFormatAndAcrossDays() throws Exception {
        ExportQuery all = ExportQuery.of(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-04-01T00:00:00Z"), List.of(), List.of(),
                "eml", true, ExportQuery.Names.JSON);
        ExportResult result = new Exporter(db).export(all, temp.resolve("eml"), "tester", Exporter.Progress.NONE, () -> false);
        assertThat(result.records()).isEqualTo(fixture.records.size());
        assertThat(result.markedExported()).isEqualTo(fixture.records.size());
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE exported_at IS NULL")).isZero();
    }

    @Test
    void aNonEmptyOrFileOutputIsRefusedAndNothingIsWritten() throws Exception {
        Path busy = Files.createDirectories(temp.resolve("busy"));
        Files.writeString(busy.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> export(busy, List.of(), List.of(), true)).isInstanceOf(ExportException.class)
                .hasMessageContaining("is not empty").hasMessageContaining("notes.txt");
        try (Stream<Path> listing = Files.list(busy)) {
            assertThat(listing).containsExactly(busy.resolve("notes.txt"));
        }
        Path file = Files.writeString(temp.resolve("a-file"), "x");
        assertThatThrownBy(() -> export(file, List.of(), List.of(), false)).isInstanceOf(ExportException.class)
                .hasMessageContaining("is a file");
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE exported_at IS NOT NULL")).isZero();

        Path created = temp.resolve("new/deeper");
        export(created, List.of(), List.of(), false);
        assertThat(created.resolve("manifest.json")).exists();
    }

    @Test
    void anInterruptedExportHasNoManifestMarksNothingAndIsAuditedWithItsError() throws Exception {
        List<Incoming> many = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            many.add(new Incoming(new ArchiveRecord("bulk-" + i, "bulk", Kind.MESSAGE, FROM.plusMillis(1000 + i), ExportFixture.ALICE,
                    List.of(ExportFixture.BOB), "text/plain", "bulk " + i, false), "fe", Instant.now()));
        }
        new ArchiveWriter(db).write(many);
        AtomicLong progressed = new AtomicLong();
        ExportQuery query = ExportQuery.of(FROM, TO, List.of(), List.of(), "csv", true, ExportQuery.Names.CLI);
        Path out = temp.resolve("cancelled");
        assertThatThrownBy(() -> new Exporter(db).export(query, out, "tester", (done, total) -> progressed.set(done),
                () -> progressed.get() >= 2000)).isInstanceOf(ExportException.class).hasMessageContaining("cancelled after 2,000 records");

        try (Stream<Path> listing = Files.list(out)) {
            assertThat(listing.map(p -> p.getFileName().toString()).collect(Collectors.toList())).isEmpty();
        }
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.messages WHERE exported_at IS NOT NULL")).isZero();
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.audit_log WHERE action = 'export' AND result->>'error' LIKE '%cancelled%' "
                + "AND (result->>'recordsWritten')::int = 2000")).isEqualTo(1);
    }

    @Test
    void progressCountsUpToTheTotalCountedFirst() throws Exception {
        List<long[]> updates = new ArrayList<>();
        ExportQuery query = ExportQuery.of(FROM, TO, List.of(), List.of(), "csv", false, ExportQuery.Names.CLI);
        new Exporter(db).export(query, temp.resolve("p"), "tester", (done, total) -> updates.add(new long[] {done, total}), () -> false);
        long total = fixture.inRange().size();
        assertThat(updates.get(0)).containsExactly(0, total);
        assertThat(updates.get(updates.size() - 1)).containsExactly(total, total);
    }

    @Test
    void queriesAreCheckedWithMessagesNamingTheOption() {
        assertThatThrownBy(() -> ExportQuery.of(TO, FROM, List.of(), List.of(), "csv", false, ExportQuery.Names.CLI))
                .hasMessageContaining("--from must be before --to");
        assertThatThrownBy(() -> ExportQuery.of(FROM, TO, List.of(), List.of(), "pdf", false, ExportQuery.Names.CLI))
                .hasMessageContaining("--format must be one of eml, jsonl, csv");
        assertThatThrownBy(() -> ExportQuery.of(FROM, TO, List.of("alice@example.com"), List.of(), "csv", false, ExportQuery.Names.JSON))
                .hasMessageContaining("participants 'alice@example.com' is not a SIP URI");
        assertThatThrownBy(() -> ExportQuery.of(FROM, TO, List.of(), List.of("a\nb"), "csv", false, ExportQuery.Names.CLI))
                .hasMessageContaining("--conversation");
    }

    @Test
    void aConversationBeyondTheInMemorySpoolStreamsFromDiskAndSplitsBySize() throws Exception {
        String body = ExportFixture.body64k();
        List<Incoming> big = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            big.add(new Incoming(new ArchiveRecord("big-" + i, "big-conference", Kind.CONFERENCE_MESSAGE, FROM.plusSeconds(3600 + i),
                    ExportFixture.CAROL, List.of(ExportFixture.ALICE), "text/plain", body, false), "fe", Instant.now()));
        }
        new ArchiveWriter(db).write(big);
        ExportQuery query = ExportQuery.of(FROM, TO, List.of(), List.of("big-conference"), "eml", false, ExportQuery.Names.CLI);

        new Exporter(db).export(query, temp.resolve("one"), "tester", Exporter.Progress.NONE, () -> false);
        List<Path> one = Readback.verifiedFiles(temp.resolve("one"));
        assertThat(one).hasSize(1);
        assertThat(Files.size(one.get(0))).isGreaterThan(2L * EmlSink.SPOOL_LIMIT);
        org.apache.james.mime4j.dom.Message message = Readback.eml(one.get(0));
        List<org.apache.james.mime4j.dom.Entity> parts = ((org.apache.james.mime4j.dom.Multipart) message.getBody()).getBodyParts();
        for (org.apache.james.mime4j.dom.Entity part : parts) {
            String text;
            try (java.io.InputStream in = ((org.apache.james.mime4j.dom.TextBody) part.getBody()).getInputStream()) {
                text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            assertThat(text.split(java.util.regex.Pattern.quote(body), -1)).as(part.getMimeType()).hasSize(41);
        }

        new Exporter(db, new Exporter.Options(50_000, 1_000_000, true)).export(query, temp.resolve("parts"), "tester",
                Exporter.Progress.NONE, () -> false);
        List<Path> split = Readback.verifiedFiles(temp.resolve("parts"));
        assertThat(split).hasSizeGreaterThan(1);
        assertThat(Readback.manifest(temp.resolve("parts")).get("records").getAsLong()).isEqualTo(40);
    }
}
