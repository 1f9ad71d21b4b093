package io.archiver.compliance.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import io.archiver.compliance.integrity.VerifyReport.ChainFinding;
import io.archiver.compliance.integrity.VerifyReport.DayReport;
import io.archiver.compliance.integrity.VerifyReport.Finding;
import io.archiver.compliance.integrity.VerifyReport.Status;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tampering through plain SQL, behind the archive's back, is found and named: three sealed days of
 * records put in by the writer, then one change per test, then verify.
 */
class TamperingTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private static final LocalDate D3 = Archive.daysAgo(3);
    private static final LocalDate D2 = Archive.daysAgo(2);
    private static final LocalDate D1 = Archive.daysAgo(1);

    private Archive archive;

    @BeforeEach
    void threeSealedDays() throws Exception {
        archive = new Archive(PG);
        archive.day(3, 20, "a", "sip:alice@example.com");
        archive.day(2, 20, "b", "sip:bob@example.com");
        archive.day(1, 20, "c", "sip:carol@example.com");
        archive.day(0, 5, "today", "sip:dan@example.com");
        IntegritySealer.SealRun run = archive.sealer().run(Instant.now());
        assertThat(run.sealed()).isEqualTo(Map.of(D3, 20L, D2, 20L, D1, 20L));
        assertThat(run.refused()).isEmpty();
    }

    @AfterEach
    void close() {
        archive.close();
    }

    @Test
    void anUntouchedArchiveVerifiesAndTheRunIsAudited() throws Exception {
        VerifyReport report = archive.verify();

        assertThat(report.ok()).isTrue();
        assertThat(report.days()).extracting(DayReport::day, DayReport::status, DayReport::records)
                .containsExactly(tuple(D3, Status.OK, 20L), tuple(D2, Status.OK, 20L), tuple(D1, Status.OK, 20L),
                        tuple(Archive.daysAgo(0), Status.OPEN, 5L));
        assertThat(report.days()).allSatisfy(d -> assertThat(d.findings()).isEmpty());
        assertThat(report.chain().entries()).isEqualTo(3);
        assertThat(report.chain().findings()).isEmpty();
        assertThat(report.records()).isEqualTo(65);
        assertThat(archive.number("SELECT count(*) FROM archive.audit_log WHERE action = 'verify' AND actor = 'tester' "
                + "AND (result->>'ok')::boolean AND (result->>'records')::int = 65 AND result->'chainHead'->>'seq' IS NOT NULL")).isEqualTo(1);
        // Sealing again changes nothing: nothing new, nothing gone.
        assertThat(archive.sealer().run(Instant.now())).satisfies(r -> {
            assertThat(r.sealed()).isEmpty();
            assertThat(r.resealed()).isEmpty();
        });
        assertThat(archive.verify().ok()).isTrue();
    }

    @Test
    void aBodyChangedThroughSqlIsNamed() throws Exception {
        archive.sql("UPDATE archive.messages SET body = 'I never said that' WHERE record_id = 'b-7'");

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        assertOnly(report, D2, Finding.CONTENT_CHANGED, "b-7");
    }

    @Test
    void aBodyChangedWithItsHashMadeToMatchIsNamed() throws Exception {
        forgeBody("b-3", "forged", false, false);

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        DayReport day = day(report, D2);
        assertThat(day.kinds()).containsExactlyInAnyOrder(Finding.CHANGED, Finding.MESSAGE_IDS_DIFFER);
        assertThat(day.finding(Finding.CHANGED).ids()).containsExactly("b-3");
        assertThat(day.finding(Finding.MESSAGE_IDS_DIFFER).ids()).containsExactly("b-3");
        assertOthersOk(report, D2);
        // The seal job does not take the change in.
        assertThat(archive.sealer().run(Instant.now()).resealed()).isEmpty();
    }

    @Test
    void aBodyChangedEverywhereButTheSealIsCaughtByTheRoot() throws Exception {
        forgeBody("c-11", "forged everywhere", true, true);

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        assertThat(day(report, D1).kinds()).containsExactly(Finding.SEAL_ALTERED);
        assertOthersOk(report, D1);
    }

    @Test
    void rewritingTheSealTooBreaksTheChainAndRewritingTheChainIsCaughtByThePreviousVerifyAndTheMac() throws Exception {
        byte[] key = "kept outside the database".getBytes();
        try (Archive signed = new Archive(PG)) {
            signed.day(3, 5, "k", "sip:alice@example.com");
            signed.day(2, 5, "l", "sip:alice@example.com");
            IntegritySettings settings = IntegritySettings.defaults().withGrace(java.time.Duration.ZERO).withKey(key);
            signed.sealer(settings).run(Instant.now());
            IntegrityVerifier verifier = new IntegrityVerifier(signed.db, settings);
            assertThat(verifier.verify(new IntegrityVerifier.Request(null, null, "tester"), IntegrityVerifier.Progress.NONE).ok()).isTrue();

            // The attacker changes a record everywhere, recomputes the day's root and rewrites the whole log.
            signed.forgeBody("k-2", "rewritten", true, true);
            IntegrityHashes.DayDigest digest;
            try (Connection c = signed.db.getConnection()) {
                digest = SealStore.sealedList(c, D3);
                signed.sql("UPDATE archive.integrity_seals SET root = '\\x" + IntegrityHashes.hex(digest.root()) + "' WHERE day = '" + D3 + "'");
                assertThat(verifier.verify(new IntegrityVerifier.Request(null, null, "tester"), IntegrityVerifier.Progress.NONE)
                        .chain().kinds()).contains(ChainFinding.ENTRY_ALTERED);
                rewriteChain(c);
            }

            VerifyReport report = verifier.verify(new IntegrityVerifier.Request(null, null, "tester"), IntegrityVerifier.Progress.NONE);

            assertThat(report.ok()).isFalse();
            assertThat(report.days()).allSatisfy(d -> assertThat(d.findings()).isEmpty());
            // Without the key's MACs the rewritten log would look whole, but for the head the last verify saw.
            assertThat(report.chain().kinds()).containsOnly(ChainFinding.MAC_INVALID, ChainFinding.HEAD_LOST);
            assertThat(report.chain().findings()).filteredOn(f -> f.kind().equals(ChainFinding.MAC_INVALID)).hasSize(2);
        }
    }

    @Test
    void aRowDeletedFromTheMessagesIsNamed() throws Exception {
        archive.sql("DELETE FROM archive.messages WHERE record_id = 'a-0'");

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        assertOnly(report, D3, Finding.REMOVED_OUTSIDE_PURGE, "a-0");
    }

    @Test
    void aRecordDeletedFromTheMessagesAndTheIdsIsNamedAsRemovedByNoPurge() throws Exception {
        archive.sql("DELETE FROM archive.messages WHERE record_id = 'a-19'");
        archive.sql("DELETE FROM archive.message_ids WHERE record_id = 'a-19'");

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        assertOnly(report, D3, Finding.REMOVED, "a-19");
        assertThat(day(report, D3).finding(Finding.REMOVED).message()).contains("removed by no recorded purge");
        assertThat(archive.sealer().run(Instant.now()).refused()).containsKey(D3);
    }

    @Test
    void aForgedRowInsertedIntoADayAndTheIdsIsNamed() throws Exception {
        insertForged("b-forged", D2, "now()");

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        assertOnly(report, D2, Finding.INSERTED, "b-forged");
        assertThat(day(report, D2).records()).isEqualTo(21);
    }

    @Test
    void aForgedRowWithABackdatedArchiveTimeIsNamedAsInsertedBeforeTheSeal() throws Exception {
        insertForged("c-forged", D1, "'" + D1 + "T13:00:00Z'");

        VerifyReport report = archive.verify();

        assertOnly(report, D1, Finding.INSERTED_BEFORE_SEAL, "c-forged");
        assertThat(archive.sealer().run(Instant.now()).refused()).containsKey(D1);
    }

    @Test
    void aRowCopiedIntoThePartitionAloneIsNamedThreeWays() throws Exception {
        archive.sql("INSERT INTO " + Archive.partition(D2) + " SELECT 'b-sneaked', conversation_id, kind, sent_at, sender, recipients, "
                + "content_type, body, external, frontend, received_at, archived_at, exported_at, content_hash "
                + "FROM archive.messages WHERE record_id = 'b-1'");

        VerifyReport report = archive.verify();

        DayReport day = day(report, D2);
        // A copy of b-1 under another id: not sealed, not in the ids, its hash is b-1's (archived moments before the
        // seal, within the writer's slack: counted as after it).
        assertThat(day.kinds()).containsExactlyInAnyOrder(Finding.INSERTED, Finding.NOT_IN_MESSAGE_IDS, Finding.CONTENT_CHANGED);
        assertThat(day.findings()).allSatisfy(f -> assertThat(f.ids()).containsExactly("b-sneaked"));
    }

    @Test
    void aDeletedSealIsMissingOnItsDayAndBreaksTheChain() throws Exception {
        archive.sql("DELETE FROM archive.integrity_seals WHERE day = '" + D2 + "'");

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        assertThat(day(report, D2).kinds()).containsExactly(Finding.SEAL_MISSING);
        assertThat(report.chain().kinds()).containsExactly(ChainFinding.LINK_BROKEN);
        assertThat(report.chain().findings().get(0).day()).isEqualTo(D1);
        assertOthersOk(report, D2);
        // The seal job does not paper over it by sealing the day anew.
        assertThat(archive.sealer().run(Instant.now()).refused()).containsKey(D2);
        assertThat(archive.number("SELECT count(*) FROM archive.integrity_seals WHERE day = '" + D2 + "'")).isZero();
    }

    @Test
    void theLatestSealDeletedWithItsListIsCaughtByTheHeadThePreviousVerifySaw() throws Exception {
        assertThat(archive.verify().ok()).isTrue();
        archive.sql("DELETE FROM archive.integrity_seals WHERE day = '" + D1 + "'");
        archive.sql("DELETE FROM archive.integrity_sealed_records WHERE day = '" + D1 + "'");

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        assertThat(report.chain().kinds()).containsExactly(ChainFinding.HEAD_LOST);
        assertThat(day(report, D1).status()).isEqualTo(Status.UNSEALED);
    }

    @Test
    void aDroppedDayPartitionIsNamedRecordByRecord() throws Exception {
        archive.sql("DROP TABLE " + Archive.partition(D3));

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        DayReport day = day(report, D3);
        assertThat(day.records()).isZero();
        assertThat(day.kinds()).containsExactly(Finding.REMOVED_OUTSIDE_PURGE);
        assertThat(day.finding(Finding.REMOVED_OUTSIDE_PURGE).count()).isEqualTo(20);
        assertThat(day.finding(Finding.REMOVED_OUTSIDE_PURGE).ids()).hasSize(20).contains("a-0", "a-19");
        assertOthersOk(report, D3);
    }

    @Test
    void aWholeDayRemovedEverywhereWithItsSealBreaksTheChain() throws Exception {
        archive.sql("DROP TABLE " + Archive.partition(D2));
        archive.sql("DELETE FROM archive.message_ids WHERE record_id LIKE 'b-%'");
        archive.sql("DELETE FROM archive.integrity_sealed_records WHERE day = '" + D2 + "'");
        archive.sql("DELETE FROM archive.integrity_seals WHERE day = '" + D2 + "'");

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        assertThat(report.chain().kinds()).containsExactly(ChainFinding.LINK_BROKEN);
        assertThat(report.days()).extracting(DayReport::day).doesNotContain(D2);
    }

    @Test
    void anOrphanIdOfAnUnsealedDayIsNamed() throws Exception {
        archive.sql("DELETE FROM archive.messages WHERE record_id = 'today-2'");

        VerifyReport report = archive.verify();

        assertThat(report.ok()).isFalse();
        assertOnly(report, Archive.daysAgo(0), Finding.ORPHAN_ID, "today-2");
    }

    // --- helpers

    private void forgeBody(String id, String body, boolean alsoIds, boolean alsoSealedList) throws Exception {
        archive.forgeBody(id, body, alsoIds, alsoSealedList);
    }

    private void insertForged(String id, LocalDate day, String archivedAt) throws Exception {
        byte[] hash = new RowContentHash().of(id, "conv-x", "message", Instant.parse(day + "T15:00:00Z"), "sip:mallory@example.com",
                new String[] {"sip:bob@example.com"}, "text/plain", "a message nobody sent", false);
        String hex = "'\\x" + IntegrityHashes.hex(hash) + "'";
        archive.sql("INSERT INTO archive.messages (record_id, conversation_id, kind, sent_at, sender, recipients, content_type, body, "
                + "external, frontend, received_at, archived_at, content_hash) VALUES ('" + id + "', 'conv-x', 'message', '" + day
                + "T15:00:00Z', 'sip:mallory@example.com', '{sip:bob@example.com}', 'text/plain', 'a message nobody sent', false, 'fe', '"
                + day + "T15:00:01Z', " + archivedAt + ", " + hex + ")");
        archive.sql("INSERT INTO archive.message_ids (record_id, sent_at, content_hash) VALUES ('" + id + "', '" + day + "T15:00:00Z', "
                + hex + ")");
    }

    /** Recomputes every entry's chain from the first, as an attacker who knows the format would (no key, so MACs stay). */
    private static void rewriteChain(Connection c) throws Exception {
        List<SealEntry> entries = new java.util.ArrayList<>();
        SealStore.forEachEntry(c, entries::add);
        byte[] previous = IntegrityHashes.GENESIS;
        for (SealEntry e : entries) {
            byte[] chain = IntegrityHashes.chain(previous, e.seq(), e.day(), e.records(), e.root(), e.sealedAt(), e.sealedBy(), e.note());
            try (PreparedStatement update = c.prepareStatement("UPDATE archive.integrity_seals SET previous_chain = ?, chain = ? WHERE seq = ?")) {
                update.setBytes(1, previous);
                update.setBytes(2, chain);
                update.setLong(3, e.seq());
                update.executeUpdate();
            }
            previous = chain;
        }
    }

    private static DayReport day(VerifyReport report, LocalDate day) {
        return report.days().stream().filter(d -> d.day().equals(day)).findFirst()
                .orElseThrow(() -> new AssertionError("no report for " + day + ": " + report.days()));
    }

    /** The day has exactly this one finding naming exactly this record; every other day and the log are fine. */
    private static void assertOnly(VerifyReport report, LocalDate day, String kind, String id) {
        DayReport d = day(report, day);
        assertThat(d.status()).isEqualTo(Status.MISMATCH);
        assertThat(d.kinds()).as("findings of %s: %s", day, d.findings()).containsExactly(kind);
        assertThat(d.finding(kind).ids()).containsExactly(id);
        assertThat(d.finding(kind).count()).isEqualTo(1);
        assertOthersOk(report, day);
        assertThat(report.chain().findings()).isEmpty();
    }

    private static void assertOthersOk(VerifyReport report, LocalDate except) {
        assertThat(report.days()).filteredOn(d -> !d.day().equals(except))
                .allSatisfy(d -> assertThat(d.findings()).as("%s", d.day()).isEmpty());
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }

    static byte[] select(Connection c, String sql) throws Exception {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getBytes(1);
        }
    }
}
