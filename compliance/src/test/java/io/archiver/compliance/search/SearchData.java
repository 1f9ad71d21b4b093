package io.archiver.compliance.search;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import io.archiver.store.ArchiveWriter;
import io.archiver.store.Incoming;
import io.archiver.store.testing.TestRecords;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Predicate;

/** Records for the search tests, written through the archive's own writer, and the order search promises. */
final class SearchData {

    static final List<String> PARTICIPANTS = List.of("sip:alice@example.com", "sip:bob@example.com", "sip:carol@example.org",
            "sip:dave@fabrikam.com", "sip:erin@example.com", "sip:frank@contoso.com");
    static final List<String> CONVERSATIONS = List.of("dlg-1", "dlg-2", "conf:room-7@example.com", "dlg-4", "dlg/with slash+plus");
    /** Words of the bodies: Latin and Cyrillic, some capitalised in the body (search folds case). */
    static final List<String> WORDS = List.of("Quarterly", "report", "invoice", "meeting", "Friday", "budget",
            "Отчёт", "квартал", "встреча", "Москва", "бюджет", "пятница");

    /** Search's order: sentAt, then id in byte order (ids here are ASCII, so String order is the same). */
    static final Comparator<ArchiveRecord> ORDER = Comparator.comparing(ArchiveRecord::sentAt).thenComparing(ArchiveRecord::id);

    private SearchData() {
    }

    static ArchiveRecord record(String id, String conversation, Instant sentAt, String from, List<String> to, String body) {
        return new ArchiveRecord(id, conversation, Kind.MESSAGE, sentAt.truncatedTo(ChronoUnit.MICROS), from, to,
                ArchiveRecord.DEFAULT_CONTENT_TYPE, body, false);
    }

    /**
     * {@code count} records over three days from {@code start}, on a coarse grid of times so that many
     * share a {@code sentAt} (the id breaks those ties), with ids whose order is not that of creation.
     */
    static List<ArchiveRecord> world(String prefix, int count, Instant start, long seed) {
        Random random = new Random(seed);
        List<ArchiveRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = prefix + "-" + Integer.toString(random.nextInt(1 << 20), 36) + "-" + i;
            Instant sentAt = start.plus(random.nextInt(3 * 24 * 12) * 5L, ChronoUnit.MINUTES);
            String conversation = CONVERSATIONS.get(random.nextInt(CONVERSATIONS.size()));
            String from = PARTICIPANTS.get(random.nextInt(PARTICIPANTS.size()));
            List<String> to = new ArrayList<>();
            int recipients = 1 + random.nextInt(3);
            while (to.size() < recipients) {
                String p = PARTICIPANTS.get(random.nextInt(PARTICIPANTS.size()));
                if (!p.equals(from) && !to.contains(p)) {
                    to.add(p);
                }
            }
            if (i % 17 == 0) {
                records.add(new ArchiveRecord(id, conversation, Kind.SESSION_START, sentAt, from, List.of(),
                        ArchiveRecord.DEFAULT_CONTENT_TYPE, null, true));
                continue;
            }
            List<String> words = new ArrayList<>();
            int length = 1 + random.nextInt(4);
            for (int w = 0; w < length; w++) {
                words.add(WORDS.get(random.nextInt(WORDS.size())));
            }
            records.add(record(id, conversation, sentAt, from, to, String.join(" ", words) + (i % 3 == 0 ? "!" : ".")));
        }
        return records;
    }

    static void write(ArchiveWriter writer, List<ArchiveRecord> records) {
        try {
            for (int i = 0; i < records.size(); i += 1000) {
                writer.write(TestRecords.incoming(records.subList(i, Math.min(records.size(), i + 1000))));
            }
        } catch (Exception e) {
            throw new AssertionError("writing the test records failed", e);
        }
    }

    static void write(ArchiveWriter writer, List<ArchiveRecord> records, String frontend, Instant receivedAt) {
        try {
            writer.write(records.stream().map(r -> new Incoming(r, frontend, receivedAt)).toList());
        } catch (Exception e) {
            throw new AssertionError("writing the test records failed", e);
        }
    }

    /** The ids of the records that fit, in search order. */
    static List<String> expected(List<ArchiveRecord> records, Predicate<ArchiveRecord> filter) {
        return records.stream().filter(filter).sorted(ORDER).map(ArchiveRecord::id).toList();
    }

    static boolean involves(ArchiveRecord r, String participant) {
        return r.from().equals(participant) || r.to().contains(participant);
    }

    /** The words of a body as the 'simple' configuration sees them: runs of letters and digits, lower case. */
    static List<String> words(String body) {
        if (body == null) {
            return List.of();
        }
        return Arrays.stream(body.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")).filter(w -> !w.isEmpty()).toList();
    }

    static boolean hasWord(ArchiveRecord r, String word) {
        return words(r.body()).contains(word.toLowerCase(Locale.ROOT));
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
