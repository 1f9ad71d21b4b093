package io.archiver.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeOrDateTest {

    private static final Instant MIDNIGHT = Instant.parse("2026-03-10T00:00:00Z");

    @Test
    void aDateIsUtcMidnightAndAnOffsetIsHonoured() {
        assertThat(TimeOrDate.argument("--from", "2026-03-10")).isEqualTo(MIDNIGHT);
        assertThat(TimeOrDate.argument("--to", "2026-03-10T02:00:00+02:00")).isEqualTo(MIDNIGHT);
        assertThat(TimeOrDate.argument("--to", " 2026-03-10 ")).isEqualTo(MIDNIGHT);
    }

    @Test
    void anythingElseIsRefusedNamingTheArgument() {
        assertThatThrownBy(() -> TimeOrDate.argument("--to", "yesterday")).hasMessageStartingWith("--to 'yesterday' is not a time");
        assertThatThrownBy(() -> TimeOrDate.argument("--from", " ")).hasMessage("--from is required (RFC 3339 or YYYY-MM-DD)");
        assertThatThrownBy(() -> TimeOrDate.parse("2026-03-10T00:00:00")).as("no offset").isInstanceOf(DateTimeException.class);
        assertThatThrownBy(() -> TimeOrDate.parse("2026-02-30")).isInstanceOf(DateTimeException.class);
    }
}
