package io.archiver.compliance.export;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.Incoming;
import io.archiver.store.testing.Sql;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Records that exports must carry intact: CJK, Cyrillic, Arabic and Hebrew (RTL), emoji with modifiers
 * and joiners, HTML with a script and quotes, CSV's troublemakers (commas, quotes, CR/LF, spaces at the
 * ends, a leading '='), a 64 KiB body, session events without a body, SIP user parts with ';' ',' '(' and
 * a quote, a conference id with spaces and emoji, records exactly at both ends of the range, and a day
 * outside it. Put in with the real {@link ArchiveWriter}.
 */
final class ExportFixture {

    static final Instant FROM = Instant.parse("2026-03-10T00:00:00Z");
    static final Instant TO = Instant.parse("2026-03-11T00:00:00Z");

    static final String ALICE = "sip:alice@example.com";
    static final String BOB = "sip:bob@example.com";
    static final String CAROL = "sip:carol@example.org";
    static final String DAVE = "sip:dave@partner.example.net";
    static final String ERIN = "sip:erin@partner.example.net";
    static final String ONEIL = "sip:o'neil;ext@example.com";
    static final String ODD = "sip:a,b(c)@example.com";

    static final String P2P = "p2p:alice-bob:7f3a";
    static final String CONF = "sip:focus@conf.example.com;gruu;opaque=app:conf:focus:id:X1 会议 🎉";
    static final String OTHER = "p2p:dave-erin";
    static final String LATER = "p2p:later";

    static final String HTML_BODY = "<script>alert('x')</script><b class=\"c\">bold</b> & <i>it's</i> <a href='javascript:x()'>link</a>";
    static final String CSV_BODY = "comma, \"quote\", 'apos'\nsecond line\r\nthird line\rfourth";

    /** Every record put in, by id. */
    final Map<String, ArchiveRecord> records = new LinkedHashMap<>();
    final Map<String, Incoming> incoming = new HashMap<>();

    static String body64k() {
        StringBuilder s = new StringBuilder();
        String unit = "日本語テキスト Привет مرحبا 🎉 ";
        while (s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + unit.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 65536) {
            s.append(unit);
        }
        while (s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 65536) {
            s.append('x');
        }
        return s.toString();
    }

    ExportFixture add(String id, String conversation, Kind kind, String sentAt, String from, List<String> to, String contentType,
                      String body, boolean external) {
        ArchiveRecord r = new ArchiveRecord(id, conversation, kind, Instant.parse(sentAt).truncatedTo(ChronoUnit.MICROS), from, to,
                contentType, body, external);
        records.put(id, r);
        incoming.put(id, new Incoming(r, "fe-" + (id.hashCode() & 3), Instant.parse(sentAt).plusMillis(250).truncatedTo(ChronoUnit.MICROS)));
        return this;
    }

    ExportFixture message(String id, String conversation, String sentAt, String from, List<String> to, String body) {
        return add(id, conversation, Kind.MESSAGE, sentAt, from, to, "text/plain", body, false);
    }

    static ExportFixture standard() {
        ExportFixture f = new ExportFixture();
        f.add("a-0", P2P, Kind.SESSION_START, "2026-03-10T00:00:00Z", ALICE, List.of(), "text/plain", null, false);
        f.message("a-1", P2P, "2026-03-10T09:00:01.123456Z", ALICE, List.of(BOB), "你好，世界 — Привет, мир");
        f.message("a-2", P2P, "2026-03-10T09:00:02.5Z", BOB, List.of(ALICE), "مرحبا بالعالم — שלום עולם (RTL)");
        f.message("a-3", P2P, "2026-03-10T09:00:03Z", ALICE, List.of(BOB), "emoji 👍🏽 🎉 👨‍👩‍👧 done");
        f.add("a-4", P2P, Kind.MESSAGE, "2026-03-10T09:00:04Z", BOB, List.of(ALICE), "text/html", HTML_BODY, false);
        f.message("a-5", P2P, "2026-03-10T09:00:05Z", ALICE, List.of(BOB), CSV_BODY);
        f.message("a-6", P2P, "2026-03-10T09:00:06Z", BOB, List.of(ALICE), "  leading and trailing spaces  ");
        f.message("a-7", P2P, "2026-03-10T09:00:07Z", ALICE, List.of(BOB), body64k());
        f.message("a-8", P2P, "2026-03-10T09:00:08Z", BOB, List.of(ALICE), "=SUM(A1:A2);sip:x \"\" ,");
        f.add("a-9", P2P, Kind.SESSION_END, "2026-03-10T09:30:00Z", BOB, List.of(), "text/plain", null, false);

        f.add("b-0", CONF, Kind.JOIN, "2026-03-10T10:00:00Z", CAROL, List.of(), "text/plain", null, true);
        f.add("b-1", CONF, Kind.CONFERENCE_MESSAGE, "2026-03-10T10:00:01.000001Z", CAROL, List.of(ALICE, ONEIL, ODD, DAVE),
                "text/plain", "Hello, world; ciao\ttab", true);
        f.add("b-2", CONF, Kind.CONFERENCE_MESSAGE, "2026-03-10T10:00:02Z", ONEIL, List.of(CAROL, ALICE, ODD, DAVE),
                "text/plain", "reply from o'neil", true);
        f.add("b-3", CONF, Kind.LEAVE, "2026-03-10T10:05:00Z", CAROL, List.of(), "text/plain", null, true);

        f.message("c-0", OTHER, "2026-03-10T10:00:01.000001Z", DAVE, List.of(ERIN), "same instant as b-1");
        f.message("c-1", OTHER, "2026-03-10T23:59:59.999999Z", ERIN, List.of(DAVE), "last microsecond of the range");
        f.message("c-2", OTHER, "2026-03-11T00:00:00Z", DAVE, List.of(ERIN), "exactly at 'to': outside");
        f.message("c-3", OTHER, "2026-03-09T23:59:59.999999Z", DAVE, List.of(ERIN), "just before 'from': outside");

        f.message("d-0", LATER, "2026-03-12T08:00:00Z", ALICE, List.of(DAVE), "another day");
        f.message("d-1", LATER, "2026-03-12T08:00:01Z", DAVE, List.of(ALICE), "another day, reply");
        return f;
    }

    void writeTo(DataSource db) throws Exception {
        new ArchiveWriter(db).write(new ArrayList<>(incoming.values()));
    }

    /** The records with {@code FROM <= sentAt < TO}, in export order (sentAt, then id). */
    List<ArchiveRecord> inRange() {
        return records.values().stream().filter(r -> !r.sentAt().isBefore(FROM) && r.sentAt().isBefore(TO))
                .sorted(java.util.Comparator.comparing(ArchiveRecord::sentAt).thenComparing(ArchiveRecord::id)).toList();
    }

    /** archived_at of every row, from the database. */
    static Map<String, Instant> archivedAt(DataSource db) {
        Map<String, Instant> at = new HashMap<>();
        for (Map<String, Object> row : Sql.rows(db, "SELECT record_id, archived_at FROM archive.messages")) {
            at.put((String) row.get("record_id"), ((java.sql.Timestamp) row.get("archived_at")).toInstant());
        }
        return at;
    }
}
