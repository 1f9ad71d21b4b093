package io.archiver.compliance.integrity;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.Database;
import io.archiver.store.Incoming;
import io.archiver.store.Migrations;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** A fresh migrated archive database for one test, records put in through the real writer. */
final class Archive implements AutoCloseable {

    /** Noon UTC today: "N days ago" is in the middle of a day whatever the time of the run. */
    static final Instant NOON = LocalDate.now(ZoneOffset.UTC).atTime(12, 0).toInstant(ZoneOffset.UTC);

    final HikariDataSource db;
    final ArchiveWriter writer;

    Archive(EmbeddedPostgresExtension pg) {
        this(pg, pg.createDatabase());
    }

    Archive(EmbeddedPostgresExtension pg, String database) {
        db = Database.open(pg.config(database), "integrity-test", 4);
        Migrations.migrate(db);
        writer = new ArchiveWriter(db);
    }

    static LocalDate daysAgo(int days) {
        return LocalDate.ofInstant(NOON.minus(days, ChronoUnit.DAYS), ZoneOffset.UTC);
    }

    /** {@code count} records sent {@code daysAgo} days ago from noon on, a second apart, ids {@code prefix-i}. */
    List<Incoming> day(int daysAgo, int count, String prefix, String from) throws Exception {
        List<Incoming> list = new ArrayList<>();
        Instant start = NOON.minus(daysAgo, ChronoUnit.DAYS);
        Instant received = Instant.now().truncatedTo(ChronoUnit.MICROS);
        for (int i = 0; i < count; i++) {
            Instant sent = start.plusSeconds(i).plusNanos(123_456_000L).truncatedTo(ChronoUnit.MICROS);
            list.add(new Incoming(new ArchiveRecord(prefix + "-" + i, "conv-" + prefix, Kind.MESSAGE, sent, from,
                    List.of("sip:bob@example.com"), ArchiveRecord.DEFAULT_CONTENT_TYPE, "body " + i + " of " + prefix, false), "fe", received));
        }
        writer.write(list);
        return list;
    }

    IntegritySealer sealer() {
        return sealer(IntegritySettings.defaults().withGrace(Duration.ZERO));
    }

    IntegritySealer sealer(IntegritySettings settings) {
        return new IntegritySealer(db, settings, "test-node");
    }

    IntegrityVerifier verifier() {
        return new IntegrityVerifier(db, IntegritySettings.defaults().withGrace(Duration.ZERO));
    }

    VerifyReport verify() throws Exception {
        return verifier().verify(new IntegrityVerifier.Request(null, null, "tester"), IntegrityVerifier.Progress.NONE);
    }

    void sql(String sql) {
        Sql.execute(db, sql);
    }

    long number(String sql) {
        return Sql.number(db, sql);
    }

    /**
     * Changes a record's body through SQL and gives it the content hash of the new content, in
     * archive.messages, and if asked in archive.message_ids and the sealed list too.
     */
    void forgeBody(String id, String body, boolean alsoIds, boolean alsoSealedList) throws Exception {
        byte[] hash;
        try (java.sql.Connection c = db.getConnection();
             java.sql.PreparedStatement s = c.prepareStatement("SELECT " + RowContentHash.COLUMNS + " FROM archive.messages WHERE record_id = ?")) {
            s.setString(1, id);
            try (java.sql.ResultSet rs = s.executeQuery()) {
                rs.next();
                hash = new RowContentHash().of(rs.getString("record_id"), rs.getString("conversation_id"), rs.getString("kind"),
                        rs.getObject("sent_at", java.time.OffsetDateTime.class).toInstant(), rs.getString("sender"),
                        (String[]) rs.getArray("recipients").getArray(), rs.getString("content_type"), body, rs.getBoolean("external"));
            }
        }
        String hex = "'\\x" + IntegrityHashes.hex(hash) + "'";
        sql("UPDATE archive.messages SET body = '" + body + "', content_hash = " + hex + " WHERE record_id = '" + id + "'");
        if (alsoIds) {
            sql("UPDATE archive.message_ids SET content_hash = " + hex + " WHERE record_id = '" + id + "'");
        }
        if (alsoSealedList) {
            sql("UPDATE archive.integrity_sealed_records SET content_hash = " + hex + " WHERE record_id = '" + id + "'");
        }
    }

    static String partition(LocalDate day) {
        return "archive.messages_p" + day.format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
    }

    @Override
    public void close() {
        db.close();
    }
}
