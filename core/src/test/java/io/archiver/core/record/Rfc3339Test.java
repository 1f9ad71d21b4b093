package io.archiver.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc3339Test {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-24T10:15:30Z", "2026-11-24t10:15:30.1z", "2024-02-29T23:59:59.999999999+14:00",
            "1999-12-31T00:00:00.123456-08:30", "2026-01-01T00:00:00+00:00"})
    void agreesWithJavaTime(String text) {
        assertThat(Rfc3339.parse(text).instant()).isEqualTo(OffsetDateTime.parse(text.toUpperCase()).toInstant());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-24 10:15:30Z", "2026-11-24T10:15:30", "2026-11-24T10:15Z", "2026-11-24T10:15:30.Z",
            "2026-11-24T10:15:30.1234567890Z", "26-11-24T10:15:30Z", "2026-11-24T10:15:30+0100", "2026-11-24T10:15:30Zjunk"})
    void refusesOtherShapes(String text) {
        assertThat(Rfc3339.parse(text).problem()).isEqualTo(Rfc3339.FORMAT_HINT);
    }

    @Test
    void refusesImpossibleValuesSayingWhich() {
        assertThat(Rfc3339.parse("2025-02-29T10:00:00Z").problem()).isEqualTo("is not a valid date: 2025-02-29");
        assertThat(Rfc3339.parse("2026-13-01T10:00:00Z").problem()).startsWith("is not a valid date");
        assertThat(Rfc3339.parse("2026-11-24T24:00:00Z").problem()).startsWith("is not a valid time of day");
        assertThat(Rfc3339.parse("2026-11-24T23:59:60Z").problem()).startsWith("is not a valid time of day");
        assertThat(Rfc3339.parse("2026-11-24T10:00:00+24:00").problem()).startsWith("has an invalid offset");
        assertThat(Rfc3339.parse("0001-01-01T00:00:00Z").instant()).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
    }
}
