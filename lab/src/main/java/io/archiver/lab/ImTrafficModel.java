package io.archiver.lab;

import io.archiver.core.record.ArchiveRecord;
import io.archiver.core.record.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Realistic IM traffic of an OCS-style deployment: peer-to-peer dialogs and multi-party conferences
 * between users of two internal domains and two federated ones, opened and closed by session events,
 * conferences with joins and leaves, messages in many scripts (Latin, Cyrillic, CJK, Arabic and Hebrew
 * right-to-left, emoji), now and then HTML or a long paragraph. Deterministic for a given seed.
 */
public final class ImTrafficModel {

    static final List<String> INTERNAL_DOMAINS = List.of("contoso.com", "fabrikam.com");
    static final List<String> FEDERATED_DOMAINS = List.of("litwareinc.com", "adatum.com");

    private static final List<String> FIRST_NAMES = List.of("alice", "bob", "carol", "dave", "erin", "frank", "grace",
            "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
            "yuki", "amir", "noa", "jose", "zoe", "lars", "ingrid", "chen", "fatima", "oleg", "priya");
    private static final List<String> PHRASES = List.of(
            "Can you join the review at 3?",
            "Sure, give me five minutes.",
            "The build is green again 🎉",
            "Ich schicke dir die Unterlagen gleich, Grüße aus München.",
            "On se voit à la réunion de 14h ? Ça marche.",
            "会議の資料を共有しました。確認お願いします。",
            "مرحبا، هل يمكنك مراجعة التقرير اليوم؟",
            "שלום, הפגישה נדחתה למחר בבוקר.",
            "Привет! Отчёт готов, посмотри, пожалуйста.",
            "ok 👍",
            "lol 😂😂",
            "Ticket #4711 is blocked on the firewall change (ports 5061/443).",
            "Quick question: is the archiving server still on the passive SQL node?",
            "¿Puedes revisar el contrato antes del viernes?",
            "Tab\tseparated and a back\\slash, \"quotes\", {braces}, commas, and a newline\nin one message.");

    private final Random random;
    private final String runId;
    private final AtomicLong sequence = new AtomicLong();
    private final List<Conversation> active = new ArrayList<>();
    private final List<String> users = new ArrayList<>();

    private static final class Conversation {
        final String id;
        final boolean conference;
        final List<String> participants;
        int remaining;
        boolean started;

        Conversation(String id, boolean conference, List<String> participants, int remaining) {
            this.id = id;
            this.conference = conference;
            this.participants = participants;
            this.remaining = remaining;
        }
    }

    public ImTrafficModel(String runId, long seed, int concurrentConversations) {
        this.runId = runId;
        this.random = new Random(seed);
        for (String name : FIRST_NAMES) {
            for (int i = 0; i < 6; i++) {
                String domain = i < 4 ? INTERNAL_DOMAINS.get(i % 2) : FEDERATED_DOMAINS.get(i % 2);
                users.add("sip:" + name + (i == 0 ? "" : "." + i) + "@" + domain);
            }
        }
        for (int i = 0; i < concurrentConversations; i++) {
            active.add(newConversation());
        }
    }

    /** The prefix of every record id of this run (ids are {@code <runId>-<sequence>}). */
    public String runId() {
        return runId;
    }

    public List<ArchiveRecord> next(int count, Instant now) {
        List<ArchiveRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(nextRecord(now));
        }
        return records;
    }

    private ArchiveRecord nextRecord(Instant now) {
        int slot = random.nextInt(active.size());
        Conversation c = active.get(slot);
        String from = c.participants.get(random.nextInt(c.participants.size()));
        List<String> others = c.participants.stream().filter(p -> !p.equals(from)).toList();
        boolean external = c.participants.stream().anyMatch(ImTrafficModel::isFederated);
        Kind kind;
        String body = null;
        if (!c.started) {
            c.started = true;
            kind = Kind.SESSION_START;
        } else if (c.remaining-- <= 0) {
            kind = Kind.SESSION_END;
            active.set(slot, newConversation());
        } else if (c.conference && random.nextInt(12) == 0) {
            kind = random.nextBoolean() ? Kind.JOIN : Kind.LEAVE;
        } else {
            kind = c.conference ? Kind.CONFERENCE_MESSAGE : Kind.MESSAGE;
            body = body();
        }
        String contentType = body != null && random.nextInt(20) == 0 ? "text/html" : "text/plain";
        if ("text/html".equals(contentType)) {
            body = "<p><b>" + escapeHtml(body) + "</b></p>";
        }
        String id = runId + "-" + sequence.incrementAndGet();
        return new ArchiveRecord(id, c.id, kind, now, from, kind.carriesMessage() ? others : List.of(), contentType, body, external);
    }

    private String body() {
        String phrase = PHRASES.get(random.nextInt(PHRASES.size()));
        if (random.nextInt(50) == 0) {
            StringBuilder paragraph = new StringBuilder();
            while (paragraph.length() < 2000) {
                paragraph.append(PHRASES.get(random.nextInt(PHRASES.size()))).append(' ');
            }
            return paragraph.toString().strip();
        }
        return phrase;
    }

    private Conversation newConversation() {
        boolean conference = random.nextInt(10) < 3;
        int size = conference ? 3 + random.nextInt(6) : 2;
        List<String> participants = new ArrayList<>();
        while (participants.size() < size) {
            String user = users.get(random.nextInt(users.size()));
            if (!participants.contains(user)) {
                participants.add(user);
            }
        }
        String id = conference
                ? participants.get(0) + ";gruu;opaque=app:conf:focus:id:" + Long.toHexString(random.nextLong() & 0xffffffffL).toUpperCase()
                : "dlg-" + Long.toHexString(random.nextLong()) + ";from-tag=" + Integer.toHexString(random.nextInt());
        return new Conversation(id, conference, participants, 3 + random.nextInt(25));
    }

    /**
     * One message between two users of the lab's internal domains, sent {@code now}: the lab writes it to
     * {@code DIR/record.json} for trying the ingest API by hand. Its id carries the time, so a copy from an
     * earlier run is another record, not a conflicting one.
     */
    public static ArchiveRecord exampleRecord(Instant now) {
        Instant sentAt = now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        String from = "sip:alice@" + INTERNAL_DOMAINS.get(0);
        String to = "sip:bob@" + INTERNAL_DOMAINS.get(1);
        return new ArchiveRecord("lab-example-" + sentAt.toEpochMilli(), "dlg-lab-example-" + sentAt.toEpochMilli(),
                Kind.MESSAGE, sentAt, from, List.of(to), "text/plain", "Hello Bob, this is the lab's example record.", false);
    }

    static boolean isFederated(String uri) {
        return FEDERATED_DOMAINS.stream().anyMatch(d -> uri.endsWith("@" + d));
    }

    private static String escapeHtml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
