package io.archiver.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PluralTest {

    @Test
    void oneIsSingularEveryOtherCountPlural() {
        assertThat(Plural.of(1, "record")).isEqualTo("1 record");
        assertThat(Plural.of(0, "record")).isEqualTo("0 records");
        assertThat(Plural.of(2_500, "record")).isEqualTo("2,500 records");
        assertThat(Plural.of(1, "entry", "entries")).isEqualTo("1 entry");
        assertThat(Plural.of(3, "entry", "entries")).isEqualTo("3 entries");
        assertThat(Plural.word(1, "day")).isEqualTo("day");
        assertThat(Plural.word(2, "day")).isEqualTo("days");
    }
}
