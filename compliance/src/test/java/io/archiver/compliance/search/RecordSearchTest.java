package io.archiver.compliance.search;

import io.archiver.store.StoredRecord;
import static io.archiver.compliance.search.SearchData.expected;
import static io.archiver.compliance.search.SearchData.hasWord;
import static io.archiver.compliance.search.SearchData.involves;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.Database;
import io.archiver.store.Migrations;
import io.archiver.store.testing.EmbeddedPostgresExtension;
import io.archiver.store.testing.Sql;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RecordSearch} against a real archive filled through {@link ArchiveWriter}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordSearchTest {

    @RegisterExtension
    static final EmbeddedPostgresExtension PG = new EmbeddedPostgresExtension();

    private static final Instant START = Instant.parse("2026-03-02T08:00:00Z");

    private HikariDataSource dataSource;
    private ArchiveWriter writer;
    private RecordSearch search;

    @BeforeAll
    void start() {
        dataSource = Database.open(PG.config(PG.createDatabase()), "test");
        Migrations.migrate(dataSource);
        writer = new ArchiveWriter(dataSource);
        search = new RecordSearch(dataSource);
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    @BeforeEach
    void empty() {
        Sql.execute(dataSource, "TRUNCATE archive.messages, archive.message_ids, archive.audit_log");
    }

    @Test
    void findsXmppParticipantsWithTheDomainFolded() throws Exception {
        ArchiveRecord chat = SearchData.record("x-1", "p2p:xmpp:alice@lab.example,xmpp:bob@lab.example", START,
                "xmpp:alice@lab.example", List.of("xmpp:bob@lab.example"), "hello over XMPP");
        ArchiveRecord sip = SearchData.record("s-1", "dlg-9", START.plusSeconds(1), "sip:alice@lab.example",
                List.of("sip:bob@lab.example"), "hello over SIP");
        SearchData.write(writer, List.of(chat, sip));
        assertThat(search.search(SearchQuery.parse("xmpp:bob@LAB.example", null, null, null, null), 10, null).records())
                .extracting(r -> r.id()).containsExactly("x-1");
        assertThat(search.search(SearchQuery.parse("sip:bob@lab.example", null, null, null, null), 10, null).records())
                .extracting(r -> r.id()).containsExactly("s-1");
    }

    /** Every page of a search, checked for the paging's own promises on the way. */
    private List<StoredRecord> all(SearchQuery query, int limit) throws Exception {
        List<StoredRecord> records = new ArrayList<>();
        String cursor = null;
        Instant until = null;
        do {
            RecordSearch.Page page = search.search(query, limit, cursor);
            assertThat(page.records().size()).isLessThanOrEqualTo(limit);
            if (page.nextCursor() != null) {
                assertThat(page.records()).hasSize(limit);
            }
            if (until != null) {
                assertThat(page.until()).isEqualTo(until);
            }
            until = page.until();
            records.addAll(page.records());
            cursor = page.nextCursor();
        } while (cursor != null);
        return records;
    }

    private List<String> ids(SearchQuery query, int limit) throws Exception {
        return all(query, limit).stream().map(StoredRecord::id).toList();
    }

    @Test
    void filtersAloneAndCombinedGiveExactlyTheRecordsThatFitInOrder() throws Exception {
        List<ArchiveRecord> world = SearchData.world("w", 400, START, 11);
        SearchData.write(writer, world);
        Instant from = START.plus(Duration.ofHours(20));
        Instant to = START.plus(Duration.ofHours(50));
        String alice = "sip:alice@example.com";
        String conversation = "conf:room-7@example.com";

        Map<SearchQuery, Predicate<ArchiveRecord>> cases = new LinkedHashMap<>();
        cases.put(SearchQuery.EVERYTHING, r -> true);
        cases.put(SearchQuery.of(alice, null, null, null, null), r -> involves(r, alice));
        // The query's URI is normalised as the archive's are: the domain's case does not matter.
        cases.put(SearchQuery.of("sip:alice@EXAMPLE.com", null, null, null, null), r -> involves(r, alice));
        cases.put(SearchQuery.of(null, conversation, null, null, null), r -> r.conversationId().equals(conversation));
        cases.put(SearchQuery.of(null, null, from, null, null), r -> !r.sentAt().isBefore(from));
        cases.put(SearchQuery.of(null, null, null, to, null), r -> r.sentAt().isBefore(to));
        cases.put(SearchQuery.of(null, null, from, to, null), r -> !r.sentAt().isBefore(from) && r.sentAt().isBefore(to));
        cases.put(SearchQuery.of(null, null, null, null, "report"), r -> hasWord(r, "report"));
        cases.put(SearchQuery.of(null, null, null, null, "МОСКВА"), r -> hasWord(r, "москва"));
        cases.put(SearchQuery.of(null, null, null, null, "report бюджет"), r -> hasWord(r, "report") && hasWord(r, "бюджет"));
        cases.put(SearchQuery.of(null, null, null, null, "report or бюджет"), r -> hasWord(r, "report") || hasWord(r, "бюджет"));
        cases.put(SearchQuery.of(null, null, null, null, "report -friday"), r -> hasWord(r, "report") && !hasWord(r, "friday"));
        cases.put(SearchQuery.of(alice, conversation, null, null, null), r -> involves(r, alice) && r.conversationId().equals(conversation));
        cases.put(SearchQuery.of(alice, null, from, to, "квартал"), r -> involves(r, alice) && !r.sentAt().isBefore(from)
                && r.sentAt().isBefore(to) && hasWord(r, "квартал"));
        cases.put(SearchQuery.of("sip:dave@fabrikam.com", "dlg-2", from, to, "invoice"), r -> involves(r, "sip:dave@fabrikam.com")
                && r.conversationId().equals("dlg-2") && !r.sentAt().isBefore(from) && r.sentAt().isBefore(to) && hasWord(r, "invoice"));
        cases.put(SearchQuery.of("sip:nobody@example.com", null, null, null, null), r -> false);

        for (Map.Entry<SearchQuery, Predicate<ArchiveRecord>> c : cases.entrySet()) {
            List<String> expected = expected(world, c.getValue());
            assertThat(ids(c.getKey(), 1000)).as("%s", c.getKey()).isEqualTo(expected);
            // The same through small pages.
            assertThat(ids(c.getKey(), 7)).as("%s by 7", c.getKey()).isEqualTo(expected);
        }
        // The cases are not vacuous: apart from the first (everything) and the last (nobody), each filter
        // leaves some records and drops others.
        List<Predicate<ArchiveRecord>> filters = new ArrayList<>(cases.values());
        assertThat(filters.subList(1, filters.size() - 1)).allSatisfy(f ->
                assertThat(expected(world, f).size()).isBetween(1, world.size() - 1));
    }

    @Test
    void recordsComeBackWithEveryField() throws Exception {
        Instant receivedAt = Instant.parse("2026-03-02T08:00:01.5Z");
        ArchiveRecord message = new ArchiveRecord("f-1", "dlg-f", Kind.CONFERENCE_MESSAGE, START.plusNanos(123_456_000),
                "sip:alice@example.com", List.of("sip:bob@example.com", "sip:carol@example.org"), "text/html",
                "<p>Привет, <b>мир</b> — ☕ שלום</p>", true);
        ArchiveRecord event = new ArchiveRecord("f-2", "dlg-f", Kind.SESSION_END, START.plusSeconds(1), "sip:bob@example.com",
                List.of(), ArchiveRecord.DEFAULT_CONTENT_TYPE, null, false);
        SearchData.write(writer, List.of(message, event), "fe-7", receivedAt);
        Sql.execute(dataSource, "UPDATE archive.messages SET exported_at = '2026-03-03T00:00:00Z' WHERE record_id = 'f-2'");

        List<StoredRecord> found = all(SearchQuery.EVERYTHING, 10);
        assertThat(found).hasSize(2);
        StoredRecord first = found.get(0);
        assertThat(new ArchiveRecord(first.id(), first.conversationId(), Kind.fromWire(first.kind()).orElseThrow(), first.sentAt(),
                first.from(), first.to(), first.contentType(), first.body(), first.external())).isEqualTo(message);
        assertThat(first.frontend()).isEqualTo("fe-7");
        assertThat(first.receivedAt()).isEqualTo(receivedAt);
        assertThat(first.archivedAt()).isAfter(receivedAt);
        assertThat(first.exportedAt()).isNull();
        StoredRecord second = found.get(1);
        assertThat(second.body()).isNull();
        assertThat(second.to()).isEmpty();
        assertThat(second.kind()).isEqualTo("session-end");
        assertThat(second.exportedAt()).isEqualTo(Instant.parse("2026-03-03T00:00:00Z"));
    }

    @Test
    void fullTextFindsLatinAndCyrillicWordsOnlyInTheirRecords() throws Exception {
        List<ArchiveRecord> records = List.of(
                SearchData.record("t-1", "dlg-t", START, "sip:alice@example.com", List.of("sip:bob@example.com"), "The quarterly REPORT is ready"),
                SearchData.record("t-2", "dlg-t", START.plusSeconds(1), "sip:bob@example.com", List.of("sip:alice@example.com"),
                        "Отчёт за квартал готов"),
                SearchData.record("t-3", "dlg-t", START.plusSeconds(2), "sip:alice@example.com", List.of("sip:bob@example.com"),
                        "Встреча в Москве завтра, report later"),
                SearchData.record("t-4", "dlg-t", START.plusSeconds(3), "sip:bob@example.com", List.of("sip:alice@example.com"),
                        "Meeting moved to Friday"),
                SearchData.record("t-5", "dlg-t", START.plusSeconds(4), "sip:alice@example.com", List.of("sip:bob@example.com"),
                        "reporting is not a report-card"));
        SearchData.write(writer, records);

        Map<String, List<String>> cases = new LinkedHashMap<>();
        cases.put("report", List.of("t-1", "t-3", "t-5"));
        cases.put("REPORT", List.of("t-1", "t-3", "t-5"));
        cases.put("отчёт", List.of("t-2"));
        cases.put("ОТЧЁТ", List.of("t-2"));
        cases.put("москве", List.of("t-3"));
        cases.put("квартал", List.of("t-2"));
        cases.put("meeting friday", List.of("t-4"));
        cases.put("\"quarterly report\"", List.of("t-1"));
        cases.put("report -москве", List.of("t-1", "t-5"));
        cases.put("встреча or friday", List.of("t-3", "t-4"));
        cases.put("card", List.of("t-5"));
        cases.put("reporting", List.of("t-5"));
        cases.put("отчет", List.of());
        cases.put("moscow", List.of());
        for (Map.Entry<String, List<String>> c : cases.entrySet()) {
            assertThat(ids(SearchQuery.of(null, null, null, null, c.getKey()), 100)).as(c.getKey()).isEqualTo(c.getValue());
        }
        assertThatThrownBy(() -> search.search(SearchQuery.of(null, null, null, null, "!!! ..."), 10, null))
                .isInstanceOf(InvalidSearchException.class).hasMessageContaining("q has no word to search for");
    }

    @Test
    void pagingThrough2500RecordsGivesEachOnceInOrder() throws Exception {
        // 500 distinct times, five records each: the id decides within a time.
        Random random = new Random(5);
        List<ArchiveRecord> records = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            records.add(SearchData.record("p-" + Integer.toString(random.nextInt(1 << 24), 36) + "-" + i, "dlg-" + (i % 9),
                    START.plusSeconds(i % 500 * 37L), SearchData.PARTICIPANTS.get(i % 6), List.of(SearchData.PARTICIPANTS.get((i + 1) % 6)),
                    "body " + i));
        }
        SearchData.write(writer, records);

        List<String> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            RecordSearch.Page page = search.search(SearchQuery.EVERYTHING, 100, cursor);
            sizes.add(page.records().size());
            page.records().forEach(r -> seen.add(r.id()));
            cursor = page.nextCursor();
        } while (cursor != null);

        assertThat(sizes).hasSize(25).allMatch(n -> n == 100);
        assertThat(seen).hasSize(2500).doesNotHaveDuplicates().isEqualTo(expected(records, r -> true));
    }

    @Test
    void pagingWhileRecordsArriveSeesTheFrozenWindowOnceAndNothingAfterIt() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant early = now.minus(Duration.ofHours(2));
        Random random = new Random(17);
        List<ArchiveRecord> initial = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            initial.add(SearchData.record("i-" + i, "dlg-" + (i % 7), early.plusMillis(random.nextInt(7_000_000)),
                    "sip:alice@example.com", List.of("sip:bob@example.com"), "initial " + i));
        }
        SearchData.write(writer, initial);

        // Another thread keeps archiving, with sentAt both before and after the first page's bound.
        record Arrival(ArchiveRecord record, long committedNanos) {
        }
        ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger batches = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // One batch per permit, the permit given as a page is asked for: the write races the read, and
        // arrivals stay slower than paging, so the paging ends.
        Semaphore permits = new Semaphore(3);
        Thread producer = new Thread(() -> {
            Random r = new Random(23);
            int n = 0;
            try {
                while (!stop.get()) {
                    if (!permits.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    List<ArchiveRecord> batch = new ArrayList<>();
                    for (int i = 0; i < 20; i++, n++) {
                        Instant sentAt = switch (i % 3) {
                            // the past two hours: inside the window, ahead of or behind the pages read
                            case 0 -> Instant.now().minus(Duration.ofHours(2)).plusMillis(r.nextInt(2 * 3_600_000));
                            // just now: after the first page's bound, before the time of a later page
                            case 1 -> Instant.now().minusMillis(r.nextInt(5));
                            // ahead, as a front-end with a fast clock may send (accepted up to 5 minutes)
                            default -> Instant.now().plusMillis(r.nextInt(240_000));
                        };
                        batch.add(SearchData.record("c-" + n, "dlg-" + (n % 7), sentAt, "sip:carol@example.org",
                                List.of("sip:alice@example.com"), "concurrent " + n));
                    }
                    writer.write(io.archiver.store.testing.TestRecords.incoming(batch));
                    long committed = System.nanoTime();
                    batch.forEach(b -> arrivals.add(new Arrival(b, committed)));
                    batches.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "producer");
        producer.start();

        record Read(long startedNanos, StoredRecord lastBefore) {
        }
        List<StoredRecord> seen = new ArrayList<>();
        List<Read> reads = new ArrayList<>();
        Instant until = null;
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2))
                    .until(() -> batches.get() >= 3 || failure.get() != null);
            String cursor = null;
            do {
                int before = batches.get();
                permits.release();
                reads.add(new Read(System.nanoTime(), seen.isEmpty() ? null : seen.get(seen.size() - 1)));
                RecordSearch.Page page = search.search(SearchQuery.of("sip:alice@example.com", null, null, null, null), 50, cursor);
                until = until == null ? page.until() : until;
                assertThat(page.until()).isEqualTo(until);
                seen.addAll(page.records());
                cursor = page.nextCursor();
                // Before the next page, the other thread has archived its batch (during this one's read, or after).
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2))
                        .until(() -> batches.get() > before || failure.get() != null);
            } while (cursor != null);
        } finally {
            stop.set(true);
            producer.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(failure.get()).isNull();
        Instant bound = until;

        // Once each, in order, nothing at or after the bound.
        List<String> ids = seen.stream().map(StoredRecord::id).toList();
        assertThat(ids).doesNotHaveDuplicates();
        for (int i = 1; i < seen.size(); i++) {
            StoredRecord a = seen.get(i - 1);
            StoredRecord b = seen.get(i);
            assertThat(a.sentAt().isBefore(b.sentAt()) || a.sentAt().equals(b.sentAt()) && a.id().compareTo(b.id()) < 0)
                    .as("%s before %s", a.id(), b.id()).isTrue();
        }
        assertThat(seen).allMatch(r -> r.sentAt().isBefore(bound));
        // Everything there at the first page, and nothing that was never archived.
        Set<String> seenIds = new HashSet<>(ids);
        assertThat(seenIds).containsAll(initial.stream().map(ArchiveRecord::id).toList());
        Set<String> known = new HashSet<>(initial.stream().map(ArchiveRecord::id).toList());
        arrivals.forEach(a -> known.add(a.record().id()));
        assertThat(known).containsAll(seenIds);

        // Each arrival inside the window that was committed before a page was read and sorts after the
        // page before it was seen; those after the bound never were.
        List<Arrival> inside = arrivals.stream().filter(a -> a.record().sentAt().isBefore(bound)).toList();
        List<Arrival> outside = arrivals.stream().filter(a -> !a.record().sentAt().isBefore(bound)).toList();
        assertThat(inside).isNotEmpty();
        assertThat(outside).isNotEmpty();
        int mustHaveSeen = 0;
        for (Arrival a : inside) {
            Read read = reads.stream().filter(r -> r.startedNanos() > a.committedNanos()).findFirst().orElse(null);
            if (read == null) {
                continue;
            }
            StoredRecord last = read.lastBefore();
            boolean ahead = last == null || a.record().sentAt().isAfter(last.sentAt())
                    || a.record().sentAt().equals(last.sentAt()) && a.record().id().compareTo(last.id()) > 0;
            if (ahead) {
                mustHaveSeen++;
                assertThat(seenIds).as("arrival %s at %s", a.record().id(), a.record().sentAt()).contains(a.record().id());
            }
        }
        assertThat(mustHaveSeen).isPositive();
        assertThat(outside.stream().map(a -> a.record().id()).collect(Collectors.toSet())).doesNotContainAnyElementsOf(seenIds);

        // A new search sees what arrived meanwhile inside its own, later bound.
        List<String> again = ids(SearchQuery.of("sip:alice@example.com", null, null, bound, null), 1000);
        assertThat(again).doesNotHaveDuplicates().containsAll(inside.stream().map(a -> a.record().id()).toList());
    }

    @Test
    void aTamperedOrForeignCursorIsRefused() throws Exception {
        SearchData.write(writer, SearchData.world("k", 30, START, 3));
        SearchQuery query = SearchQuery.of(null, "dlg-1", null, null, null);
        SearchQuery everything = SearchQuery.EVERYTHING;
        String cursor = search.search(everything, 5, null).nextCursor();
        assertThat(cursor).isNotNull().matches("[A-Za-z0-9_-]+");

        // The page size may change, the filters may not.
        assertThat(search.search(everything, 3, cursor).records()).hasSize(3);
        assertThatThrownBy(() -> search.search(query, 5, cursor)).isInstanceOf(InvalidSearchException.class)
                .hasMessageContaining("cursor belongs to a search with other filters")
                .satisfies(e -> assertThat(((InvalidSearchException) e).parameter()).isEqualTo("cursor"));
        assertThatThrownBy(() -> search.search(SearchQuery.of(null, null, null, START.plusSeconds(1), null), 5, cursor))
                .hasMessageContaining("other filters");

        // Any one character changed: refused, never read as another position.
        char[] chars = cursor.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char[] changed = chars.clone();
            changed[i] = changed[i] == 'A' ? 'B' : 'A';
            String tampered = new String(changed);
            assertThatThrownBy(() -> search.search(everything, 5, tampered)).as("position %d", i)
                    .isInstanceOf(InvalidSearchException.class).hasMessageStartingWith("cursor ");
        }
        assertThatThrownBy(() -> search.search(everything, 5, cursor.substring(0, cursor.length() - 4)))
                .hasMessageContaining("cursor");
        assertThatThrownBy(() -> search.search(everything, 5, "not a cursor!")).hasMessageContaining("not base64url");
        assertThatThrownBy(() -> search.search(everything, 5, "AAAA")).hasMessageContaining("wrong length");
        assertThatThrownBy(() -> search.search(everything, 0, null)).hasMessageContaining("limit must be from 1 to 1000");
        assertThatThrownBy(() -> search.search(everything, 1001, null)).hasMessageContaining("limit must be from 1 to 1000");
    }

    @Test
    void aConversationHasItsParticipantsAndRecordsInOrder() throws Exception {
        List<ArchiveRecord> world = SearchData.world("v", 300, START, 9);
        SearchData.write(writer, world);
        String id = "conf:room-7@example.com";

        RecordSearch.Conversation conversation = search.conversation(id).orElseThrow();
        List<ArchiveRecord> expected = world.stream().filter(r -> r.conversationId().equals(id)).sorted(SearchData.ORDER).toList();
        assertThat(conversation.records()).extracting(StoredRecord::id).isEqualTo(expected.stream().map(ArchiveRecord::id).toList());
        assertThat(conversation.info().participants()).isEqualTo(expected.stream()
                .flatMap(r -> java.util.stream.Stream.concat(java.util.stream.Stream.of(r.from()), r.to().stream()))
                .distinct().sorted().toList());
        assertThat(conversation.info().total()).isEqualTo(expected.size());
        assertThat(conversation.info().truncated()).isFalse();
        assertThat(search.conversation("dlg/with slash+plus").orElseThrow().records()).isNotEmpty();

        assertThat(search.conversation("no-such-conversation")).isEmpty();
        assertThatThrownBy(() -> search.conversation("x".repeat(257))).isInstanceOf(InvalidSearchException.class);
        assertThatThrownBy(() -> search.conversation("bad\u0001id")).isInstanceOf(InvalidSearchException.class);
    }

    @Test
    void aLongConversationIsCutAtTheCapAndSaysSo() throws Exception {
        List<ArchiveRecord> records = new ArrayList<>();
        for (int i = 0; i < RecordSearch.CONVERSATION_CAP + 1; i++) {
            records.add(SearchData.record("L-" + i, "dlg-long", START.plusMillis(i * 10L), "sip:alice@example.com",
                    List.of("sip:bob@example.com"), "line " + i));
        }
        SearchData.write(writer, records);

        RecordSearch.Conversation conversation = search.conversation("dlg-long").orElseThrow();
        assertThat(conversation.info().truncated()).isTrue();
        assertThat(conversation.info().total()).isEqualTo(RecordSearch.CONVERSATION_CAP + 1);
        assertThat(conversation.info().records()).isEqualTo(RecordSearch.CONVERSATION_CAP);
        assertThat(conversation.records()).extracting(StoredRecord::id)
                .isEqualTo(expected(records, r -> true).subList(0, RecordSearch.CONVERSATION_CAP));
        assertThat(conversation.info().participants()).containsExactly("sip:alice@example.com", "sip:bob@example.com");
    }

    @Test
    void badFiltersAreRefusedWithTheParameterAndAReason() {
        Map<Runnable, String> cases = new LinkedHashMap<>();
        cases.put(() -> SearchQuery.parse("alice@example.com", null, null, null, null), "participant must be a SIP URI");
        cases.put(() -> SearchQuery.parse(null, "x".repeat(257), null, null, null), "conversation must be a conversation id of 1-256");
        cases.put(() -> SearchQuery.parse(null, null, "yesterday", null, null), "from must be an RFC 3339 time");
        cases.put(() -> SearchQuery.parse(null, null, null, "2026-02-30", null), "to must be an RFC 3339 time");
        cases.put(() -> SearchQuery.parse(null, null, "2026-03-02T10:00:00", null, null), "from must be an RFC 3339 time");
        cases.put(() -> SearchQuery.parse(null, null, "2026-03-03", "2026-03-02", null), "from (2026-03-03T00:00:00Z) is after to (2026-03-02T00:00:00Z)");
        cases.put(() -> SearchQuery.parse(null, null, null, null, "x".repeat(1001)), "q is 1001 characters; at most 1000");
        cases.put(() -> SearchQuery.parse(null, null, null, null, "a\u0000b"), "q must not contain NUL");
        cases.forEach((call, message) -> assertThatThrownBy(call::run).isInstanceOf(InvalidSearchException.class)
                .hasMessageContaining(message));
        assertThat(SearchQuery.parse(null, null, "2026-03-02", "2026-03-02T10:00:00+02:00", null))
                .isEqualTo(new SearchQuery(null, null, Instant.parse("2026-03-02T00:00:00Z"), Instant.parse("2026-03-02T08:00:00Z"), null));
        assertThat(SearchQuery.parse(" ", "", null, "", "  ")).isEqualTo(SearchQuery.EVERYTHING);
    }
}
