package io.archiver.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pinned vectors: stored hashes are verified later, so the canonical form must never drift. */
class ContentHashTest {

    @Test
    void canonicalFormIsStable() {
        ArchiveRecord message = new ArchiveRecord("id-1", "c", Kind.MESSAGE, Instant.parse("2026-11-24T10:15:30.123456Z"),
                "sip:a@b.com", List.of("sip:c@d.com", "sip:é@x.com"), "text/plain", "héllo 😀", true);
        ArchiveRecord event = new ArchiveRecord("id-2", "c2", Kind.JOIN, Instant.parse("2020-01-01T00:00:00Z"),
                "sip:a@b.com", List.of(), "text/plain", null, false);
        assertThat(HexFormat.of().formatHex(ContentHash.of(message)))
                .isEqualTo("aea442671eb8dc7f69e4c21aeb509658617235a9fbd04d813e82776c40438cf0");
        assertThat(HexFormat.of().formatHex(ContentHash.of(event)))
                .isEqualTo("5673f3c0329a0b8a55d7568b9a6773d0f70ed275800ac560d6b36facc2db75c1");
    }

    @Test
    void largeBodiesGrowTheBufferAndStillHashTheSame() {
        ArchiveRecord big = new ArchiveRecord("id-3", "c", Kind.MESSAGE, Instant.EPOCH, "sip:a@b.com", List.of("sip:c@d.com"),
                "text/plain", "x".repeat(65536), false);
        byte[] first = ContentHash.of(big);
        ContentHash.of(new ArchiveRecord("id-4", "c", Kind.MESSAGE, Instant.EPOCH, "sip:a@b.com", List.of("sip:c@d.com"), "text/plain", "y", false));
        assertThat(ContentHash.of(big)).isEqualTo(first);
    }
}
