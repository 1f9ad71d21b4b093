package io.archiver.compliance.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.ContentHash;
import io.archiver.core.record.Kind;
import io.archiver.store.Incoming;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The content hash recomputed from a stored row is the writer's, for every kind of content. */
class RowContentHashTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    @Test
    void theHashOfEveryStoredRowIsTheHashOfTheRecordWrittenWithTheWriter() throws Exception {
        Instant sent = Instant.parse("2026-01-15T09:30:00.123456Z");
        String big = "x\\y\tz\n\r\"'{},".repeat(6000).substring(0, 64 * 1024 - 10);
        List<ArchiveRecord> records = List.of(
                record("plain", Kind.MESSAGE, sent, List.of("sip:bob@example.com"), "text/plain", "hello", false),
                record("unicode", Kind.CONFERENCE_MESSAGE, sent.plusNanos(1000), List.of("sip:bob@example.com", "sip:\u00e9l\u00e8ve@example.org"),
                        "text/html", "<b>\u05e9\u05dc\u05d5\u05dd</b> \u0645\u0631\u062d\u0628\u0627 \ud83d\ude00\ud83c\uddeb\ud83c\uddf7 \u4f60\u597d", true),
                record("session", Kind.SESSION_START, sent.plusSeconds(1), List.of(), "text/plain", null, false),
                record("empty-body", Kind.MESSAGE, sent.plusSeconds(2), List.of("sip:bob@example.com"), "text/rtf", "", true),
                record("big", Kind.MESSAGE, sent.plusSeconds(3), List.of("sip:a\"b@example.com", "sip:c\\d@example.com"), "text/plain", big, false),
                record("micros.1:2@3-4_5", Kind.LEAVE, Instant.parse("1999-12-31T23:59:59.999999Z"), List.of(), "text/plain", null, false));
        try (Archive archive = new Archive(PG)) {
            archive.writer.write(records.stream().map(r -> new Incoming(r, "fe", Instant.now().truncatedTo(ChronoUnit.MICROS))).toList());
            Map<String, ArchiveRecord> byId = new HashMap<>();
            records.forEach(r -> byId.put(r.id(), r));
            RowContentHash hasher = new RowContentHash();
            int rows = 0;
            try (Connection c = archive.db.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT " + RowContentHash.COLUMNS + ", content_hash FROM archive.messages")) {
                while (rs.next()) {
                    rows++;
                    ArchiveRecord written = byId.get(rs.getString("record_id"));
                    byte[] recomputed = hasher.of(rs);
                    assertThat(recomputed).as(written.id()).isEqualTo(ContentHash.of(written)).isEqualTo(rs.getBytes("content_hash"));
                }
            }
            assertThat(rows).isEqualTo(records.size());
        }
    }

    @Test
    void everyColumnOfTheContentChangesTheHash() {
        RowContentHash hasher = new RowContentHash();
        Instant t = Instant.parse("2026-01-15T09:30:00.123456Z");
        byte[] base = hasher.of("a", "c", "message", t, "sip:s@x", new String[] {"sip:r@x"}, "text/plain", "b", false);
        assertThat(hasher.of("a", "c", "message", t, "sip:s@x", new String[] {"sip:r@x"}, "text/plain", "b", false)).isEqualTo(base);
        List<byte[]> variants = List.of(
                hasher.of("a2", "c", "message", t, "sip:s@x", new String[] {"sip:r@x"}, "text/plain", "b", false),
                hasher.of("a", "c2", "message", t, "sip:s@x", new String[] {"sip:r@x"}, "text/plain", "b", false),
                hasher.of("a", "c", "join", t, "sip:s@x", new String[] {"sip:r@x"}, "text/plain", "b", false),
                hasher.of("a", "c", "message", t.plusNanos(1000), "sip:s@x", new String[] {"sip:r@x"}, "text/plain", "b", false),
                hasher.of("a", "c", "message", t, "sip:s2@x", new String[] {"sip:r@x"}, "text/plain", "b", false),
                hasher.of("a", "c", "message", t, "sip:s@x", new String[] {"sip:r@x", "sip:q@x"}, "text/plain", "b", false),
                hasher.of("a", "c", "message", t, "sip:s@x", new String[] {"sip:r@x"}, "text/html", "b", false),
                hasher.of("a", "c", "message", t, "sip:s@x", new String[] {"sip:r@x"}, "text/plain", "b2", false),
                hasher.of("a", "c", "message", t, "sip:s@x", new String[] {"sip:r@x"}, "text/plain", null, false),
                hasher.of("a", "c", "message", t, "sip:s@x", new String[] {"sip:r@x"}, "text/plain", "b", true),
                hasher.of("a", "c", null, t, "sip:s@x", new String[] {"sip:r@x"}, "text/plain", "b", false));
        assertThat(variants).allSatisfy(v -> assertThat(v).isNotEqualTo(base));
    }

    private static ArchiveRecord record(String id, Kind kind, Instant sent, List<String> to, String type, String body, boolean external) {
        return new ArchiveRecord(id, "conv-" + id, kind, sent, "sip:alice@example.com", to, type, body, external);
    }
}
