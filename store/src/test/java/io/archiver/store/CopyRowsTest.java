package io.archiver.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyRowsTest {

    @Test
    void encodesEveryColumnInCopyTextFormat() {
        ArchiveRecord record = new ArchiveRecord("id-1", "c\t1", Kind.SESSION_START, Instant.parse("2026-01-15T09:30:00.123456Z"),
                "sip:a@example.com", List.of("sip:\"q\"@x", "a\\b", "x,y{z}"), "text/plain", null, true);
        Incoming in = new Incoming(record, "fe\n1", Instant.parse("2026-01-15T09:31:00Z"));

        String[] columns = CopyRows.row(in).split("\t", -1);

        assertThat(columns).hasSize(12);
        assertThat(columns[0]).isEqualTo("id-1");
        assertThat(columns[1]).isEqualTo("c\\t1");
        assertThat(columns[2]).isEqualTo("session-start");
        assertThat(columns[3]).isEqualTo("2026-01-15T09:30:00.123456Z");
        assertThat(columns[5]).isEqualTo("{\"sip:\\\\\"q\\\\\"@x\",\"a\\\\\\\\b\",\"x,y{z}\"}");
        assertThat(columns[7]).isEqualTo("\\N");
        assertThat(columns[8]).isEqualTo("t");
        assertThat(columns[9]).isEqualTo("fe\\n1");
        assertThat(columns[11]).startsWith("\\\\x").hasSize(2 + 1 + 64 + 1).endsWith("\n");
        assertThat(CopyRows.copySql("archive.messages")).isEqualTo("COPY archive.messages (" + CopyRows.COLUMNS + ") FROM STDIN");
    }

    @Test
    void anEmptyRecipientListIsAnEmptyArray() {
        ArchiveRecord record = new ArchiveRecord("id-2", "c", Kind.SESSION_END, Instant.EPOCH, "sip:a@example.com", List.of(),
                "text/plain", "", false);
        String[] columns = CopyRows.row(new Incoming(record, "fe", Instant.EPOCH)).split("\t", -1);
        assertThat(columns[5]).isEqualTo("{}");
        assertThat(columns[7]).isEmpty();
    }
}
