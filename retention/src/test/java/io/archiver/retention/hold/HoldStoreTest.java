package io.archiver.retention.hold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Holds in a real PostgreSQL: validation, normal form, place / release / list, and the audit rows. */
class HoldStoreTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private HikariDataSource dataSource;
    private HoldStore holds;

    @BeforeEach
    void database() {
        dataSource = Database.open(PG.config(PG.createDatabase()), "test");
        Migrations.migrate(dataSource);
        holds = new HoldStore(dataSource);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private List<Map<String, Object>> audit() {
        return Sql.rows(dataSource, "SELECT actor, action, parameters::text AS parameters, result::text AS result, "
                + "parameters->>'participant' AS participant, parameters->>'conversation' AS conversation, "
                + "parameters->>'reason' AS reason, (parameters->>'id')::bigint AS param_id, "
                + "(result->>'id')::bigint AS result_id, result->>'error' AS error, result->>'releasedBy' AS released_by, "
                + "result->'otherActiveHolds' AS others FROM archive.audit_log ORDER BY id");
    }

    @Test
    void targetAndReasonAreCheckedWithPreciseMessages() {
        assertThatThrownBy(() -> HoldRequest.of("sip:a@example.com", "dlg-1", "r"))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> HoldRequest.of(null, null, "r"))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("needs a target");
        assertThatThrownBy(() -> HoldRequest.of("alice@example.com", null, "r"))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("participant must be a SIP URI sip:user@domain")
                .hasMessageContaining("'alice@example.com'");
        assertThatThrownBy(() -> HoldRequest.of("sip:alice@exa mple.com", null, "r")).isInstanceOf(InvalidHoldException.class);
        assertThatThrownBy(() -> HoldRequest.of("sip:@example.com", null, "r")).isInstanceOf(InvalidHoldException.class);
        assertThatThrownBy(() -> HoldRequest.of(null, "", "r"))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("conversation must be 1-256 characters, not 0");
        assertThatThrownBy(() -> HoldRequest.of(null, "x".repeat(257), "r"))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("1-256 characters, not 257");
        assertThatThrownBy(() -> HoldRequest.of(null, "dlg\n1", "r"))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("conversation must not contain control characters");
        assertThatThrownBy(() -> HoldRequest.of(null, "dlg-1", null))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("reason is required");
        assertThatThrownBy(() -> HoldRequest.of(null, "dlg-1", " \t "))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("reason is required");
        assertThatThrownBy(() -> HoldRequest.of(null, "dlg-1", "r".repeat(1001)))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("reason must be at most 1000 characters, not 1001");
        assertThatThrownBy(() -> HoldRequest.of(null, "dlg-1", "a\u0000b"))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("reason must not contain control characters");

        InvalidHoldException both = (InvalidHoldException) catchThrowable(() -> HoldRequest.of("nope", null, ""));
        assertThat(both.problems()).extracting(InvalidHoldException.Problem::field).containsExactly("participant", "reason");

        // The edges that are fine: 256 code points (emoji count once), 1000 characters, line breaks in a reason.
        assertThat(HoldRequest.of(null, "\uD83D\uDE00".repeat(256), "r").target().conversation()).hasSize(512);
        assertThat(HoldRequest.of(null, "dlg-1", "r".repeat(1000)).reason()).hasSize(1000);
        assertThat(HoldRequest.of(null, " dlg 1 ", "  case 42\nline two  ").reason()).isEqualTo("case 42\nline two");
        assertThat(HoldRequest.of(null, " dlg 1 ", "r").target().conversation()).as("kept exactly").isEqualTo(" dlg 1 ");
    }

    private static Throwable catchThrowable(Runnable call) {
        try {
            call.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    @Test
    void participantIsStoredInTheArchivesNormalForm() throws Exception {
        Hold hold = holds.place(HoldTarget.participant("SIP:Alice.Smith@Contoso.COM"), "matter 17", "admin-ann");

        assertThat(hold.participant()).isEqualTo("sip:Alice.Smith@contoso.com");
        assertThat(hold.conversation()).isNull();
        assertThat(Sql.rows(dataSource, "SELECT participant, conversation_id, reason, placed_by, released_at FROM archive.holds"))
                .containsExactly(row("participant", "sip:Alice.Smith@contoso.com", "conversation_id", null,
                        "reason", "matter 17", "placed_by", "admin-ann", "released_at", null));
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.holds WHERE participant = 'sip:Alice.Smith@contoso.com' "
                + "AND released_at IS NULL")).as("what the purge looks for").isEqualTo(1);
    }

    private static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    @Test
    void placeReleaseListAndFind() throws Exception {
        Instant before = Instant.now().minusSeconds(5);
        Hold onAlice = holds.place(HoldTarget.participant("sip:alice@example.com"), "case A", "admin-ann");
        Hold onDialog = holds.place(HoldTarget.conversation("dlg-42"), "case B", "admin-bob");

        assertThat(onAlice.active()).isTrue();
        assertThat(onAlice.placedBy()).isEqualTo("admin-ann");
        assertThat(onAlice.placedAt()).isBetween(before, Instant.now().plusSeconds(5));
        assertThat(onDialog.id()).isGreaterThan(onAlice.id());
        assertThat(onDialog.describeTarget()).isEqualTo("conversation dlg-42");
        assertThat(holds.list(false)).containsExactly(onAlice, onDialog);
        assertThat(holds.find(onDialog.id())).contains(onDialog);
        assertThat(holds.find(onDialog.id() + 1000)).isEmpty();

        Hold released = holds.release(onAlice.id(), "admin-carl").orElseThrow();
        assertThat(released.active()).isFalse();
        assertThat(released.releasedBy()).isEqualTo("admin-carl");
        assertThat(released.releasedAt()).isAfterOrEqualTo(released.placedAt());
        assertThat(released.reason()).isEqualTo("case A");

        assertThat(holds.list(false)).containsExactly(onDialog);
        assertThat(holds.list(true)).containsExactly(released, onDialog);
        assertThat(holds.find(onAlice.id())).contains(released);
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.holds WHERE released_at IS NULL")).isEqualTo(1);
        assertThat(Sql.rows(dataSource, "SELECT released_by FROM archive.holds WHERE id = " + onAlice.id()))
                .containsExactly(row("released_by", "admin-carl"));
    }

    @Test
    void placeAndReleaseAreAuditedWithActorParametersAndId() throws Exception {
        Hold hold = holds.place(HoldTarget.participant("sip:bob@Example.com"), "subpoena 9", "admin-ann");
        holds.release(hold.id(), "admin-bob");

        List<Map<String, Object>> audit = audit();
        assertThat(audit).hasSize(2);
        assertThat(audit.get(0)).containsEntry("actor", "admin-ann").containsEntry("action", "hold.place")
                .containsEntry("participant", "sip:bob@example.com").containsEntry("reason", "subpoena 9")
                .containsEntry("result_id", hold.id());
        assertThat(audit.get(1)).containsEntry("actor", "admin-bob").containsEntry("action", "hold.release")
                .containsEntry("param_id", hold.id()).containsEntry("result_id", hold.id()).containsEntry("error", null);

        Hold conversation = holds.place(HoldTarget.conversation("conf:room-7"), "r", "admin-ann");
        assertThat(audit().get(2)).containsEntry("conversation", "conf:room-7").containsEntry("participant", null)
                .containsEntry("result_id", conversation.id());
    }

    @Test
    void releasingTwiceSaysWhenAndByWhomAndChangesNothing() throws Exception {
        Hold hold = holds.place(HoldTarget.conversation("dlg-7"), "r", "admin-ann");
        Hold released = holds.release(hold.id(), "admin-bob").orElseThrow();

        assertThatThrownBy(() -> holds.release(hold.id(), "admin-carl"))
                .isInstanceOfSatisfying(HoldAlreadyReleasedException.class, e -> {
                    assertThat(e.hold()).isEqualTo(released);
                    assertThat(e.getMessage()).isEqualTo("hold " + hold.id() + " was already released at "
                            + released.releasedAt() + " by admin-bob");
                });
        assertThat(holds.find(hold.id())).contains(released);
        Map<String, Object> refused = audit().get(2);
        assertThat(refused).containsEntry("actor", "admin-carl").containsEntry("action", "hold.release")
                .containsEntry("error", "already released").containsEntry("released_by", "admin-bob");
    }

    @Test
    void releasingAnUnknownIdIsEmptyAndAudited() throws Exception {
        assertThat(holds.release(4242, "admin-ann")).isEmpty();
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.holds")).isZero();
        assertThat(audit()).singleElement().satisfies(row -> assertThat(row).containsEntry("action", "hold.release")
                .containsEntry("param_id", 4242L).containsEntry("error", "unknown hold"));
    }

    @Test
    void aSecondHoldOnTheSameTargetIsANewHoldAndTheAuditSaysSo() throws Exception {
        Hold first = holds.place(HoldTarget.participant("sip:carol@example.com"), "matter 1", "admin-ann");
        Hold second = holds.place(HoldTarget.participant("sip:carol@EXAMPLE.com"), "matter 2", "admin-bob");

        assertThat(second.id()).isNotEqualTo(first.id());
        assertThat(holds.activeOn(HoldTarget.participant("sip:carol@example.com"))).containsExactly(first, second);
        assertThat(audit().get(1).get("others").toString()).isEqualTo("[" + first.id() + "]");

        holds.release(first.id(), "admin-ann");
        assertThat(holds.activeOn(HoldTarget.participant("sip:carol@example.com")))
                .as("releasing one matter keeps the other").containsExactly(second);
    }

    @Test
    void aBadActorOrReasonWritesNothing() throws Exception {
        assertThatThrownBy(() -> holds.place(HoldTarget.conversation("d"), "r", " "))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("actor is required");
        assertThatThrownBy(() -> holds.place(HoldTarget.conversation("d"), "", "admin"))
                .isInstanceOf(InvalidHoldException.class).hasMessageContaining("reason is required");
        assertThatThrownBy(() -> holds.release(1, null)).isInstanceOf(InvalidHoldException.class);
        assertThatThrownBy(() -> holds.place(new HoldTarget("alice", null), "r", "admin"))
                .as("a target built around the checks").isInstanceOf(InvalidHoldException.class).hasMessageContaining("sip:user@domain");
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.holds")).isZero();
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.audit_log")).isZero();
    }

    @Test
    void theHoldAndItsAuditRowCommitTogether() throws Exception {
        // Make the audit insert fail for one actor (in this test database only): the hold must not stay.
        Sql.execute(dataSource, "CREATE FUNCTION archive.refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ "
                + "BEGIN IF NEW.actor = 'no-audit' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$");
        Sql.execute(dataSource, "CREATE TRIGGER refuse_audit BEFORE INSERT ON archive.audit_log "
                + "FOR EACH ROW EXECUTE FUNCTION archive.refuse_audit()");

        assertThatThrownBy(() -> holds.place(HoldTarget.conversation("dlg-1"), "r", "no-audit")).hasMessageContaining("audit refused");
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.holds")).isZero();

        Hold hold = holds.place(HoldTarget.conversation("dlg-1"), "r", "admin");
        assertThatThrownBy(() -> holds.release(hold.id(), "no-audit")).hasMessageContaining("audit refused");
        assertThat(holds.find(hold.id()).orElseThrow().active()).isTrue();
    }

    @Test
    void concurrentReleasesReleaseOnce() throws Exception {
        Hold hold = holds.place(HoldTarget.conversation("dlg-race"), "r", "admin");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String actor = "admin-" + i;
                Callable<String> release = () -> {
                    start.await();
                    try {
                        Optional<Hold> released = holds.release(hold.id(), actor);
                        return released.isPresent() ? "released" : "unknown";
                    } catch (HoldAlreadyReleasedException e) {
                        return "already";
                    }
                };
                outcomes.add(pool.submit(release));
            }
            start.countDown();
            List<String> results = new ArrayList<>();
            for (Future<String> outcome : outcomes) {
                results.add(outcome.get(Duration.ofSeconds(30).toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(results).containsExactlyInAnyOrder("released", "already", "already");
        } finally {
            pool.shutdownNow();
        }
        assertThat(Sql.number(dataSource, "SELECT count(*) FROM archive.audit_log WHERE action = 'hold.release' "
                + "AND result->>'error' IS NULL")).isEqualTo(1);
    }

    @Test
    void schemaPresenceIsDetected() throws Exception {
        assertThat(holds.schemaPresent()).isTrue();
        try (HikariDataSource empty = Database.open(PG.config(PG.createDatabase()), "empty")) {
            assertThat(new HoldStore(empty).schemaPresent()).isFalse();
        }
    }
}
