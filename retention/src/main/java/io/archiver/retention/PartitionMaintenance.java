package io.archiver.retention;

import io.archiver.store.DayPartitions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Keeps the day partitions of the coming days ready (yesterday to {@code retention.partitionsAhead}
 * days ahead), so the writer seldom has to create one in the middle of ingest. Late and old records
 * need nothing from here: the writer creates their day when it first meets it, and the purge drops
 * days that are past retention, empty ones included.
 */
public final class PartitionMaintenance {

    private final DataSource dataSource;
    private final int daysAhead;
    private final DayPartitions partitions = new DayPartitions();

    public PartitionMaintenance(DataSource dataSource, int daysAhead) {
        this.dataSource = dataSource;
        this.daysAhead = daysAhead;
    }

    /** Returns the days it made sure of. */
    public List<LocalDate> run() throws SQLException {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate day = today.minusDays(1); !day.isAfter(today.plusDays(daysAhead)); day = day.plusDays(1)) {
            days.add(day);
        }
        partitions.forget(); // a purge elsewhere may have dropped one of them
        try (Connection connection = dataSource.getConnection()) {
            partitions.ensure(connection, days);
        }
        return days;
    }
}
