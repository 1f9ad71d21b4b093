package io.archiver.app.support;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.config.Config;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.Database;
import io.archiver.store.Incoming;
import io.archiver.store.Migrations;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Puts records of chosen days straight into an archive through the real writer (what the node would have stored). */
public final class ArchiveSeed implements AutoCloseable {

    /** Noon UTC today: "N days ago" then falls mid-day whatever the time of the run. */
    public static final Instant NOON = LocalDate.now(ZoneOffset.UTC).atTime(12, 0).toInstant(ZoneOffset.UTC);

    private final HikariDataSource dataSource;
    private final ArchiveWriter writer;

    public ArchiveSeed(String jdbcUrl, String user) {
        dataSource = Database.open(Config.of(Map.of("db.url", jdbcUrl, "db.user", user), Map.of()), "seed");
        Migrations.migrate(dataSource);
        writer = new ArchiveWriter(dataSource);
    }

    /** {@code count} messages {@code daysAgo} days ago, ids {@code prefix-i}, in one conversation. */
    public void day(int daysAgo, int count, String prefix, String from, String conversation) throws Exception {
        Instant start = NOON.minus(daysAgo, ChronoUnit.DAYS);
        Instant received = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<Incoming> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(new Incoming(new ArchiveRecord(prefix + "-" + i, conversation, Kind.MESSAGE, start.plusMillis(i).truncatedTo(ChronoUnit.MICROS),
                    from, List.of("sip:peer@example.com"), ArchiveRecord.DEFAULT_CONTENT_TYPE, "message " + i, false), "seed", received));
            if (batch.size() == 5000) {
                writer.write(batch);
                batch = new ArrayList<>();
            }
        }
        writer.write(batch);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
