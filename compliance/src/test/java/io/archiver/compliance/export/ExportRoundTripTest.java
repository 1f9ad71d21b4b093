package io.archiver.compliance.export;

import static io.archiver.compliance.export.ExportFixture.ALICE;
import static io.archiver.compliance.export.ExportFixture.BOB;
import static io.archiver.compliance.export.ExportFixture.CAROL;
import static io.archiver.compliance.export.ExportFixture.CONF;
import static io.archiver.compliance.export.ExportFixture.FROM;
import static io.archiver.compliance.export.ExportFixture.TO;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.Database;
import io.archiver.store.Incoming;
import io.archiver.store.Migrations;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.util.MimeUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every format read back by a parser of another library than its writer's (Gson, FastCSV, mime4j), every
 * field compared with what was put in through the archive writer; the manifest's SHA-256s and counts
 * compared with the files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportRoundTripTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private static final Pattern TRANSCRIPT_LINE = Pattern.compile(
            "\\[(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ)] (\\S+?)(?: \\(([a-z/.-]+)\\))?"
                    + "(?: (joined|left|started the session|ended the session))?(?:: (.*))?");
    private static final Pattern HTML_ROW = Pattern.compile("<tr class=\"record\" data-id=\"([^\"]*)\" data-kind=\"([^\"]*)\" "
            + "data-content-type=\"([^\"]*)\" data-to=\"([^\"]*)\"><td class=\"time\"><time datetime=\"([^\"]*)\">([^<]*)</time></td>"
            + "<td class=\"from\">([^<]*)</td><td class=\"body\">(?:<em>([^<]*)</em>)?(?:<pre>([^<]*)</pre>)?</td></tr>");

    @TempDir
    Path temp;

    private HikariDataSource db;
    private ExportFixture fixture;
    private Map<String, Instant> archivedAt;

    @BeforeAll
    void archive() throws Exception {
        db = Database.open(PG.config(PG.createDatabase()), "export-test");
        Migrations.migrate(db);
        fixture = ExportFixture.standard();
        fixture.writeTo(db);
        archivedAt = ExportFixture.archivedAt(db);
    }

    @AfterAll
    void close() {
        db.close();
    }

    private ExportResult export(String format, Path out) throws Exception {
        ExportQuery query = ExportQuery.of(FROM, TO, List.of(), List.of(), format, false, ExportQuery.Names.CLI);
        return new Exporter(db).export(query, out, "auditor-ann", Exporter.Progress.NONE, () -> false);
    }

    @Test
    void jsonlCarriesEveryFieldOfEveryRecordExactly() throws Exception {
        Path out = temp.resolve("jsonl");
        ExportResult result = export("jsonl", out);

        List<Path> files = Readback.verifiedFiles(out);
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("records.jsonl");
        List<JsonObject> rows = Readback.jsonl(files.get(0));
        List<ArchiveRecord> expected = fixture.inRange();
        assertThat(rows).hasSize(expected.size());
        assertThat(result.records()).isEqualTo(expected.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonObject row = rows.get(i);
            ArchiveRecord r = expected.get(i);
            Incoming in = fixture.incoming.get(r.id());
            // Every field, a record without a body included (body: null): the one JSON form of a record.
            Set<String> keys = new LinkedHashSet<>(List.of("id", "conversationId", "kind", "sentAt", "from", "to", "contentType",
                    "body", "external", "frontend", "receivedAt", "archivedAt"));
            assertThat(row.keySet()).as(r.id()).containsExactlyElementsOf(keys);
            assertThat(row.get("id").getAsString()).isEqualTo(r.id());
            assertThat(row.get("conversationId").getAsString()).isEqualTo(r.conversationId());
            assertThat(row.get("kind").getAsString()).isEqualTo(r.kind().wireName());
            assertThat(Instant.parse(row.get("sentAt").getAsString())).isEqualTo(r.sentAt());
            assertThat(row.get("from").getAsString()).isEqualTo(r.from());
            assertThat(Readback.strings(row.getAsJsonArray("to"))).isEqualTo(r.to());
            assertThat(row.get("contentType").getAsString()).isEqualTo(r.contentType());
            if (r.body() != null) {
                assertThat(row.get("body").getAsString()).as(r.id()).isEqualTo(r.body());
            } else {
                assertThat(row.get("body").isJsonNull()).as(r.id()).isTrue();
            }
            assertThat(row.get("external").getAsBoolean()).isEqualTo(r.external());
            assertThat(row.get("frontend").getAsString()).isEqualTo(in.frontend());
            assertThat(Instant.parse(row.get("receivedAt").getAsString())).isEqualTo(in.receivedAt());
            assertThat(Instant.parse(row.get("archivedAt").getAsString())).isEqualTo(archivedAt.get(r.id()));
        }
        assertThat(rows.stream().filter(r -> !r.get("body").isJsonNull()).map(r -> r.get("body").getAsString()))
                .contains(ExportFixture.body64k(), ExportFixture.HTML_BODY, ExportFixture.CSV_BODY);

        JsonObject manifest = Readback.manifest(out);
        assertThat(manifest.get("actor").getAsString()).isEqualTo("auditor-ann");
        JsonObject query = manifest.getAsJsonObject("query");
        assertThat(query.get("from").getAsString()).isEqualTo("2026-03-10T00:00:00Z");
        assertThat(query.get("to").getAsString()).isEqualTo("2026-03-11T00:00:00Z");
        assertThat(query.get("format").getAsString()).isEqualTo("jsonl");
        assertThat(query.getAsJsonArray("participants")).isEmpty();
        assertThat(Instant.parse(manifest.get("startedAt").getAsString())).isBeforeOrEqualTo(Instant.parse(manifest.get("finishedAt").getAsString()));
        assertThat(manifest.has("markedExported")).isFalse();
        assertThat(result.manifestSha256()).isEqualTo(Readback.sha256(out.resolve("manifest.json")));
        assertThat(Sql.number(db, "SELECT count(*) FROM archive.audit_log WHERE action = 'export' AND actor = 'auditor-ann' "
                + "AND parameters->>'format' = 'jsonl' AND (result->>'records')::int = " + expected.size()
                + " AND (result->>'files')::int = 1 AND result->>'manifestSha256' = '" + result.manifestSha256() + "'")).isEqualTo(1);
    }

    @Test
    void csvIsRfc4180ThatAnotherParserReadsBackExactly() throws Exception {
        Path out = temp.resolve("csv");
        export("csv", out);

        List<Path> files = Readback.verifiedFiles(out);
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("records.csv");
        byte[] bytes = Files.readAllBytes(files.get(0));
        assertThat(bytes[0]).as("no byte order mark").isEqualTo((byte) 'i');
        List<List<String>> rows = Readback.csv(files.get(0));
        assertThat(rows.get(0)).containsExactly("id", "conversationId", "kind", "sentAt", "from", "to (;-separated)", "contentType",
                "body", "external", "frontend", "receivedAt", "archivedAt");
        List<ArchiveRecord> expected = fixture.inRange();
        assertThat(rows).hasSize(expected.size() + 1);
        for (int i = 0; i < expected.size(); i++) {
            List<String> row = rows.get(i + 1);
            ArchiveRecord r = expected.get(i);
            Incoming in = fixture.incoming.get(r.id());
            assertThat(row).as(r.id()).hasSize(12);
            assertThat(row.get(0)).isEqualTo(r.id());
            assertThat(row.get(1)).isEqualTo(r.conversationId());
            assertThat(row.get(2)).isEqualTo(r.kind().wireName());
            assertThat(Instant.parse(row.get(3))).isEqualTo(r.sentAt());
            assertThat(row.get(4)).isEqualTo(r.from());
            assertThat(row.get(5).isEmpty() ? List.of() : List.of(row.get(5).split(";(?=sip:)"))).as(r.id()).isEqualTo(r.to());
            assertThat(row.get(6)).isEqualTo(r.contentType());
            assertThat(row.get(7)).as(r.id()).isEqualTo(r.body() == null ? "" : r.body());
            assertThat(Boolean.parseBoolean(row.get(8))).isEqualTo(r.external());
            assertThat(row.get(9)).isEqualTo(in.frontend());
            assertThat(Instant.parse(row.get(10))).isEqualTo(in.receivedAt());
            assertThat(Instant.parse(row.get(11))).isEqualTo(archivedAt.get(r.id()));
        }
    }

    @Test
    void emlHasOneMessagePerConversationWithHeadersTranscriptAndEscapedHtml() throws Exception {
        Path out = temp.resolve("eml");
        export("eml", out);

        List<Path> files = Readback.verifiedFiles(out);
        Map<String, List<ArchiveRecord>> conversations = new LinkedHashMap<>();
        fixture.inRange().forEach(r -> conversations.computeIfAbsent(r.conversationId(), k -> new ArrayList<>()).add(r));
        assertThat(files).hasSize(conversations.size());
        Map<String, String> messageIds = new LinkedHashMap<>();
        for (Path file : files) {
            Message message = Readback.eml(file);
            String conversation = DecoderUtil.decodeEncodedWords(
                    MimeUtil.unfold(message.getHeader().getField("X-Archiver-Conversation-Id").getBody()), DecodeMonitor.SILENT);
            List<ArchiveRecord> records = conversations.get(conversation);
            assertThat(records).as(conversation).isNotNull();
            checkMessage(file, message, conversation, records, 1);
            messageIds.put(file.getFileName().toString(), message.getMessageId());
        }
        assertThat(files.stream().map(p -> p.getFileName().toString()))
                .anyMatch(name -> name.matches("20260310T100000Z-conf-[0-9a-f]{12}\\.eml"))
                .anyMatch(name -> name.matches("20260310T000000Z-p2p-[0-9a-f]{12}\\.eml"));

        Path again = temp.resolve("eml-again");
        export("eml", again);
        for (Path file : Readback.verifiedFiles(again)) {
            assertThat(Readback.eml(file).getMessageId()).as("stable Message-ID").isEqualTo(messageIds.get(file.getFileName().toString()));
        }
    }

    @Test
    void emlNamesAConversationByItsKindNotByItsFirstRecord() throws Exception {
        String startsThenConference = "conf:starts-with-session-start";
        String threeParticipants = "conf:three-people";
        String joinsLater = "conf:joins-later";
        String dialog = "p2p:a-dialog";
        ExportFixture f = new ExportFixture();
        f.add("s-0", startsThenConference, Kind.SESSION_START, "2026-03-10T11:00:00Z", ALICE, List.of(), "text/plain", null, false);
        f.add("s-1", startsThenConference, Kind.CONFERENCE_MESSAGE, "2026-03-10T11:00:01Z", ALICE, List.of(BOB), "text/plain", "hi all", false);
        f.message("s-2", startsThenConference, "2026-03-10T11:00:02Z", BOB, List.of(ALICE), "a plain message in the conference");
        f.add("t-0", threeParticipants, Kind.SESSION_START, "2026-03-10T12:00:00Z", ALICE, List.of(), "text/plain", null, false);
        f.message("t-1", threeParticipants, "2026-03-10T12:00:01Z", ALICE, List.of(BOB, CAROL), "to both of you");
        f.add("j-0", joinsLater, Kind.SESSION_START, "2026-03-10T13:00:00Z", ALICE, List.of(), "text/plain", null, false);
        f.message("j-1", joinsLater, "2026-03-10T13:00:01Z", ALICE, List.of(BOB), "first");
        f.add("j-2", joinsLater, Kind.JOIN, "2026-03-10T13:00:02Z", BOB, List.of(), "text/plain", null, false);
        f.add("d-0", dialog, Kind.SESSION_START, "2026-03-10T14:00:00Z", ALICE, List.of(), "text/plain", null, false);
        f.message("d-1", dialog, "2026-03-10T14:00:01Z", ALICE, List.of(BOB), "hello bob");
        f.message("d-2", dialog, "2026-03-10T14:00:02Z", BOB, List.of(ALICE), "hello alice");
        f.add("d-3", dialog, Kind.SESSION_END, "2026-03-10T14:00:03Z", BOB, List.of(), "text/plain", null, false);
        try (HikariDataSource other = Database.open(PG.config(PG.createDatabase()), "export-eml-names")) {
            Migrations.migrate(other);
            f.writeTo(other);
            ExportQuery query = ExportQuery.of(FROM, TO, List.of(), List.of(), "eml", false, ExportQuery.Names.CLI);

            Path out = temp.resolve("eml-kinds");
            new Exporter(other).export(query, out, "auditor-ann", Exporter.Progress.NONE, () -> false);
            assertThat(Readback.verifiedFiles(out)).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder(
                    "20260310T110000Z-conf-" + EmlSink.shortId(startsThenConference) + ".eml",
                    "20260310T120000Z-conf-" + EmlSink.shortId(threeParticipants) + ".eml",
                    "20260310T130000Z-conf-" + EmlSink.shortId(joinsLater) + ".eml",
                    "20260310T140000Z-p2p-" + EmlSink.shortId(dialog) + ".eml");

            // Parts of two records: a later part of a conference stays a conference, a dialog's stay p2p.
            Path parts = temp.resolve("eml-kind-parts");
            ExportQuery two = ExportQuery.of(FROM, TO, List.of(), List.of(startsThenConference, dialog), "eml", false, ExportQuery.Names.CLI);
            new Exporter(other, new Exporter.Options(2, 1L << 30, false)).export(two, parts, "auditor-ann", Exporter.Progress.NONE, () -> false);
            assertThat(Readback.verifiedFiles(parts)).extracting(p -> p.getFileName().toString().replaceAll("[0-9a-f]{12}", "ID"))
                    .containsExactlyInAnyOrder(
                            "20260310T110000Z-conf-ID.eml", "20260310T110002Z-conf-ID-part2.eml",
                            "20260310T140000Z-p2p-ID.eml", "20260310T140002Z-p2p-ID-part2.eml");
        }
    }

    @Test
    void aLongConversationContinuesInNumberedParts() throws Exception {
        Path out = temp.resolve("parts");
        ExportQuery query = ExportQuery.of(FROM, TO, List.of(), List.of(ExportFixture.P2P), "eml", false, ExportQuery.Names.CLI);
        ExportResult result = new Exporter(db, new Exporter.Options(3, 1L << 30, false))
                .export(query, out, "auditor-ann", Exporter.Progress.NONE, () -> false);

        List<Path> files = Readback.verifiedFiles(out);
        List<ArchiveRecord> records = fixture.inRange().stream().filter(r -> r.conversationId().equals(ExportFixture.P2P)).toList();
        assertThat(result.records()).isEqualTo(records.size()).isEqualTo(10);
        assertThat(files).extracting(p -> p.getFileName().toString().replaceAll("[0-9a-f]{12}", "ID")).containsExactly(
                "20260310T000000Z-p2p-ID.eml", "20260310T090003Z-p2p-ID-part2.eml", "20260310T090006Z-p2p-ID-part3.eml",
                "20260310T093000Z-p2p-ID-part4.eml");
        Set<String> ids = new LinkedHashSet<>();
        for (int part = 0; part < files.size(); part++) {
            Message message = Readback.eml(files.get(part));
            checkMessage(files.get(part), message, ExportFixture.P2P, records.subList(part * 3, Math.min(records.size(), part * 3 + 3)), part + 1);
            ids.add(message.getMessageId());
        }
        assertThat(ids).hasSize(4);
        assertThat(Readback.manifest(out).getAsJsonArray("files")).extracting(f -> f.getAsJsonObject().get("records").getAsLong())
                .containsExactly(3L, 3L, 3L, 1L);
    }

    /** Headers, the text transcript and the HTML alternative of one message against the records it should hold. */
    private void checkMessage(Path file, Message message, String conversation, List<ArchiveRecord> records, int part) throws IOException {
        ArchiveRecord first = records.get(0);
        String suffix = part > 1 ? " (part " + part + ")" : "";
        assertThat(message.getSubject()).isEqualTo("IM conversation " + conversation + suffix);
        assertThat(message.getMessageId()).matches("<[0-9a-f]{32}@archiver\\.export>");
        assertThat(message.getDate().toInstant()).isEqualTo(first.sentAt().truncatedTo(ChronoUnit.SECONDS));
        assertThat(message.getFrom()).hasSize(1);
        assertThat(message.getFrom().get(0).getName()).isEqualTo(first.from());
        Set<String> others = new LinkedHashSet<>();
        records.forEach(r -> {
            others.add(r.from());
            others.addAll(r.to());
        });
        others.remove(first.from());
        List<String> to = new ArrayList<>();
        if (message.getTo() != null) {
            for (Mailbox mailbox : message.getTo().flatten()) {
                to.add(mailbox.getName());
                assertThat(mailbox.getDomain()).isEqualTo(mailbox.getName().substring(mailbox.getName().lastIndexOf('@') + 1));
            }
        }
        assertThat(to).as(file.toString()).containsExactlyElementsOf(others);
        boolean conference = others.size() + 1 > 2 || records.stream()
                .anyMatch(r -> r.kind() == Kind.CONFERENCE_MESSAGE || r.kind() == Kind.JOIN || r.kind() == Kind.LEAVE);
        assertThat(file.getFileName().toString()).startsWith(EmlSink.fileNameBase(first, conference, part));
        assertThat(message.getHeader().getField("X-Archiver-Records").getBody()).isEqualTo(String.valueOf(records.size()));

        assertThat(message.getBody()).isInstanceOf(Multipart.class);
        Multipart alternative = (Multipart) message.getBody();
        assertThat(alternative.getSubType()).isEqualTo("alternative");
        List<Entity> parts = alternative.getBodyParts();
        assertThat(parts).extracting(Entity::getMimeType).containsExactly("text/plain", "text/html");
        assertThat(parts).extracting(Entity::getCharset).containsOnly("UTF-8");

        String text = read((TextBody) parts.get(0).getBody());
        List<String> lines = new ArrayList<>(List.of(text.split("\r\n", -1)));
        assertThat(lines.get(0)).isEqualTo("IM conversation " + conversation + suffix);
        List<String[]> entries = new ArrayList<>();
        for (String line : lines.subList(3, lines.size())) {
            if (line.startsWith(EmlSink.CONTINUATION)) {
                String[] last = entries.get(entries.size() - 1);
                last[4] = last[4] + "\n" + line.substring(EmlSink.CONTINUATION.length());
            } else if (!line.isEmpty()) {
                Matcher m = TRANSCRIPT_LINE.matcher(line);
                assertThat(m.matches()).as(line).isTrue();
                entries.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)});
            }
        }
        assertThat(entries).hasSize(records.size());
        for (int i = 0; i < records.size(); i++) {
            ArchiveRecord r = records.get(i);
            String[] e = entries.get(i);
            assertThat(e[0]).isEqualTo(r.sentAt().toString().substring(0, 19).replace('T', ' ') + "Z");
            assertThat(e[1]).isEqualTo(r.from());
            assertThat(e[2]).isEqualTo(r.kind().carriesMessage() && !r.contentType().equals("text/plain") ? r.contentType() : null);
            assertThat(e[3]).isEqualTo(r.kind().carriesMessage() ? null : EmlSink.event(r.kind()));
            assertThat(e[4]).as(r.id()).isEqualTo(r.body() == null ? null : r.body().replace("\r\n", "\n").replace('\r', '\n'));
        }

        String html = read((TextBody) parts.get(1).getBody());
        assertThat(html).doesNotContain("<script").doesNotContain("<b ").doesNotContain("<a ");
        Matcher rows = HTML_ROW.matcher(html);
        int i = 0;
        while (rows.find()) {
            ArchiveRecord r = records.get(i++);
            assertThat(Readback.unescapeHtml(rows.group(1))).isEqualTo(r.id());
            assertThat(rows.group(2)).isEqualTo(r.kind().wireName());
            assertThat(rows.group(3)).isEqualTo(r.contentType());
            List<String> recipients = rows.group(4).isEmpty() ? List.of() : List.of(Readback.unescapeHtml(rows.group(4)).split(" "));
            assertThat(recipients).isEqualTo(r.to());
            assertThat(Instant.parse(rows.group(5))).isEqualTo(r.sentAt());
            assertThat(Readback.unescapeHtml(rows.group(7))).isEqualTo(r.from());
            assertThat(rows.group(8)).isEqualTo(r.kind().carriesMessage() ? null : EmlSink.event(r.kind()));
            assertThat(rows.group(9) == null ? null : Readback.unescapeHtml(rows.group(9))).as(r.id()).isEqualTo(r.body());
        }
        assertThat(i).isEqualTo(records.size());
    }

    private static String read(TextBody body) throws IOException {
        try (Reader reader = body.getReader()) {
            StringBuilder s = new StringBuilder();
            char[] buffer = new char[8192];
            for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
                s.append(buffer, 0, n);
            }
            return s.toString();
        }
    }

    @Test
    void theConferenceMessageNamesEveryParticipantAsAMailboxEvenWithOddUserParts() throws Exception {
        Path out = temp.resolve("conf");
        ExportQuery query = ExportQuery.of(FROM, TO, List.of(), List.of(CONF), "eml", false, ExportQuery.Names.CLI);
        new Exporter(db).export(query, out, "auditor-ann", Exporter.Progress.NONE, () -> false);
        List<Path> files = Readback.verifiedFiles(out);
        assertThat(files).hasSize(1);
        Message message = Readback.eml(files.get(0));
        assertThat(message.getTo().flatten()).extracting(Mailbox::getName)
                .containsExactly(ALICE, ExportFixture.ONEIL, ExportFixture.ODD, ExportFixture.DAVE);
        assertThat(message.getTo().flatten()).extracting(Mailbox::getLocalPart).contains("o'neil;ext", "a,b(c)");
        try (Stream<String> lines = Files.lines(files.get(0))) {
            assertThat(lines).allMatch(line -> line.length() <= 998, "RFC 5322 line length");
        }
    }
}
