package io.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CopyTimestampTest {

    private static String format(Instant instant) {
        CopyRows.RowBuffer buffer = new CopyRows.RowBuffer(8);
        return buffer.timestamp(instant).toUtf8String();
    }

    @Test
    void formatsMicrosecondsInUtcAndReadsBackTheSameInstant() {
        for (String text : new String[] {"2026-11-24T10:15:30.123456Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z",
                "2024-02-29T23:59:59.000001Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"}) {
            Instant instant = Instant.parse(text);
            assertThat(Instant.parse(format(instant))).as(text).isEqualTo(instant);
        }
        assertThat(format(Instant.parse("2026-11-24T10:15:30.5Z"))).isEqualTo("2026-11-24T10:15:30.500000Z");
        assertThat(format(Instant.parse("+10000-01-01T00:00:00Z"))).isEqualTo("+10000-01-01T00:00:00Z");
    }
}
