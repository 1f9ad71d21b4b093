package io.archiver.lab.bench;

import io.archiver.store.ArchiveTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Fills the archive straight in SQL, server-side (no pipeline, no client round trip per row): for each
 * day, its partition, then {@code INSERT ... SELECT ... FROM generate_series} of realistic rows (about
 * 300 bytes: ids {@code seed-<n>}, conversations of about a dozen messages, sender and recipient among a
 * few hundred SIP users, a ~150-byte body, the SHA-256 of the id as content hash), then the same ids
 * into {@code archive.message_ids}, as the writer would have left them.
 */
final class ArchiveSeeder {

    /** One day to fill: {@code count} records with ids {@code seed-<first>} onwards. */
    record Day(LocalDate day, long first, long count) {
    }

    private static final String TEXT = "Could you send me the minutes of the review this morning? I need the figures for the "
            + "quarterly report before Friday, and the action items for the migration of the archiving servers to the new "
            + "cluster. Thanks, talk to you later!";

    private final DataSource dataSource;

    ArchiveSeeder(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The plan: {@code expired} records over {@code daysExpired} days from 70 days ago backwards, the
     * rest over the {@code daysRecent} days before today; each day's share as even as it gets.
     */
    static List<Day> plan(long records, long expired, int daysExpired, int daysRecent) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<Day> days = new ArrayList<>();
        long next = 1;
        for (int i = daysExpired - 1; i >= 0; i--) {
            long count = share(expired, daysExpired, i);
            days.add(new Day(today.minusDays(70L + i), next, count));
            next += count;
        }
        for (int i = daysRecent; i >= 1; i--) {
            long count = share(records - expired, daysRecent, i - 1);
            days.add(new Day(today.minusDays(i), next, count));
            next += count;
        }
        return days;
    }

    private static long share(long total, int parts, int index) {
        return total / parts + (index < total % parts ? 1 : 0);
    }

    /** Fills the days in order; {@code done} hears of each day when it is in. */
    void seed(List<Day> days, Consumer<Day> done) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (Day day : days) {
                s.execute("SELECT archive.ensure_day_partition('" + day.day() + "'::date)");
            }
            for (Day day : days) {
                if (day.count() == 0) {
                    done.accept(day);
                    continue;
                }
                c.setAutoCommit(false);
                s.executeUpdate(insertMessages(day));
                s.executeUpdate("INSERT INTO archive.message_ids (record_id, sent_at, content_hash) "
                        + "SELECT record_id, sent_at, content_hash FROM archive." + partition(day.day()));
                c.commit();
                c.setAutoCommit(true);
                done.accept(day);
            }
        }
    }

    /** Settles the database after the load: statistics and visibility map, dirty pages written. */
    void settle() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("VACUUM ANALYZE archive.messages");
            s.execute("VACUUM ANALYZE archive.message_ids");
            s.execute("CHECKPOINT");
        }
    }

    static String partition(LocalDate day) {
        return ArchiveTable.partition(day);
    }

    private static String insertMessages(Day day) {
        long last = day.first() + day.count() - 1;
        double step = 86_400.0 / day.count();
        String users = "300";
        return "INSERT INTO archive." + partition(day.day()) + " (" + ArchiveTable.STORED_COLUMNS + ", content_hash) "
                + "SELECT id, 'seed-dlg-' || (g / 12) || ';from-tag=' || to_hex((g / 12) * 2654435761 % 4294967296), 'message', ts, "
                + "'sip:user' || ((g / 12) * 7919 % " + users + ") || '@contoso.com', "
                + "ARRAY['sip:user' || (((g / 12) * 7919 + 1 + g % 5) % " + users + ") || CASE WHEN g % 10 = 0 THEN '@adatum.com' ELSE '@fabrikam.com' END], "
                + "'text/plain', 'Message ' || g || ': ' || substr('" + TEXT + "', 1 + (g % 60)::int, 140), g % 10 = 0, "
                + "'fe-' || (1 + g % 2), ts + interval '40 milliseconds', ts + interval '900 milliseconds', NULL, "
                + "sha256(convert_to(id, 'UTF8')) "
                + "FROM (SELECT g, 'seed-' || g AS id, '" + day.day() + " 00:00:00+00'::timestamptz + ((g - " + day.first() + ") * "
                + step + ") * interval '1 second' AS ts FROM generate_series(" + day.first() + "::bigint, " + last + "::bigint) g) s";
    }
}
