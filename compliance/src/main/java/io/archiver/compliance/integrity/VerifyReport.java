package io.archiver.compliance.integrity;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link IntegrityVerifier} found: per day, and over the seal log. */
public record VerifyReport(LocalDate fromDay, LocalDate toDay, Instant startedAt, long durationMillis, long records,
                           List<DayReport> days, ChainReport chain) {

    /** No mismatch anywhere: every day as sealed (or explained), the log intact. */
    public boolean ok() {
        return chain.findings().isEmpty() && days.stream().noneMatch(d -> d.status() == Status.MISMATCH);
    }

    public long count(Status status) {
        return days.stream().filter(d -> d.status() == status).count();
    }

    public long findings() {
        return chain.findings().size() + days.stream().mapToLong(d -> d.findings().size()).sum();
    }

    /** The state of a day. */
    public enum Status {
        /** Sealed, and everything matches (removals by recorded purges explained). */
        OK("ok"),
        /** Something changed, went or came behind the archive's back, or the seal is missing or altered. */
        MISMATCH("mismatch"),
        /** Finished but not sealed yet (the seal job has not got to it); records checked against their hashes only. */
        UNSEALED("unsealed"),
        /** Not over yet, or within the grace period: not sealable yet. */
        OPEN("open");

        private final String wireName;

        Status(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /**
     * One kind of mismatch on a day, with how many records and the ids of the first
     * {@value IdList#LIMIT}. Kinds: {@value #CONTENT_CHANGED}, {@value #CHANGED}, {@value #INSERTED},
     * {@value #INSERTED_BEFORE_SEAL}, {@value #REMOVED}, {@value #REMOVED_OUTSIDE_PURGE},
     * {@value #NOT_IN_MESSAGE_IDS}, {@value #MESSAGE_IDS_DIFFER}, {@value #ORPHAN_ID}, {@value #SEAL_MISSING},
     * {@value #SEAL_ALTERED}.
     */
    public record Finding(String kind, long count, List<String> ids, String message) {
        public static final String CONTENT_CHANGED = "content-changed";
        public static final String CHANGED = "changed";
        public static final String INSERTED = "inserted";
        public static final String INSERTED_BEFORE_SEAL = "inserted-before-seal";
        public static final String REMOVED = "removed";
        public static final String REMOVED_OUTSIDE_PURGE = "removed-outside-purge";
        public static final String NOT_IN_MESSAGE_IDS = "not-in-message-ids";
        public static final String MESSAGE_IDS_DIFFER = "message-ids-differ";
        public static final String ORPHAN_ID = "orphan-id";
        public static final String SEAL_MISSING = "seal-missing";
        public static final String SEAL_ALTERED = "seal-altered";

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", kind);
            m.put("count", count);
            m.put("ids", ids);
            m.put("idsTruncated", count > ids.size());
            m.put("message", message);
            return m;
        }
    }

    /**
     * One UTC day. {@code purged}: sealed records removed since the seal by recorded purges (not a mismatch).
     * For a day without a seal ({@link Status#OPEN}, {@link Status#UNSEALED}): {@code unsealedBecause}, why, in
     * words ({@code today, still open; ...}), {@code sealableAt}, when it is over plus {@code integrity.grace},
     * and {@code expectedSealAt}, the seal job's first run from then on (null when the job is off); all three
     * null for the other days.
     */
    public record DayReport(LocalDate day, Status status, long records, Long sealedRecords, Instant sealedAt, Long sealSeq,
                            long purged, List<Finding> findings, List<String> notes, String unsealedBecause, Instant sealableAt,
                            Instant expectedSealAt) {

        public DayReport(LocalDate day, Status status, long records, Long sealedRecords, Instant sealedAt, Long sealSeq,
                         long purged, List<Finding> findings, List<String> notes) {
            this(day, status, records, sealedRecords, sealedAt, sealSeq, purged, findings, notes, null, null, null);
        }

        public List<String> kinds() {
            return findings.stream().map(Finding::kind).toList();
        }

        public Finding finding(String kind) {
            return findings.stream().filter(f -> f.kind().equals(kind)).findFirst().orElse(null);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("day", day.toString());
            m.put("status", status.wireName());
            m.put("records", records);
            m.put("sealedRecords", sealedRecords);
            m.put("sealedAt", sealedAt == null ? null : sealedAt.toString());
            m.put("sealSeq", sealSeq);
            m.put("purged", purged);
            List<Object> list = new ArrayList<>();
            findings.forEach(f -> list.add(f.toMap()));
            m.put("findings", list);
            m.put("notes", notes);
            if (unsealedBecause != null) {
                m.put("unsealedBecause", unsealedBecause);
                m.put("sealableAt", sealableAt == null ? null : sealableAt.toString());
                m.put("expectedSealAt", expectedSealAt == null ? null : expectedSealAt.toString());
            }
            return m;
        }
    }

    /**
     * A problem of the seal log. Kinds: {@value #LINK_BROKEN}, {@value #FIRST_ENTRY}, {@value #ENTRY_ALTERED},
     * {@value #MAC_INVALID}, {@value #MAC_MISSING}, {@value #NOT_LATEST}, {@value #SEAL_MISSING},
     * {@value #HEAD_LOST}.
     */
    public record ChainFinding(String kind, Long seq, LocalDate day, String message) {
        public static final String LINK_BROKEN = "link-broken";
        public static final String FIRST_ENTRY = "first-entry-missing";
        public static final String ENTRY_ALTERED = "entry-altered";
        public static final String MAC_INVALID = "mac-invalid";
        public static final String MAC_MISSING = "mac-missing";
        public static final String NOT_LATEST = "not-latest";
        public static final String SEAL_MISSING = "seal-missing";
        public static final String HEAD_LOST = "head-lost";

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", kind);
            m.put("seq", seq);
            m.put("day", day == null ? null : day.toString());
            m.put("message", message);
            return m;
        }
    }

    /** The seal log: how many entries, its head (to keep outside the archive), what is wrong with it. */
    public record ChainReport(long entries, Long headSeq, String headChain, boolean macsChecked, List<ChainFinding> findings,
                              List<String> notes) {

        public List<String> kinds() {
            return findings.stream().map(ChainFinding::kind).toList();
        }

        Map<String, Object> head() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", headSeq);
            m.put("chain", headChain);
            return m;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("entries", entries);
            m.put("head", head());
            m.put("macsChecked", macsChecked);
            List<Object> list = new ArrayList<>();
            findings.forEach(f -> list.add(f.toMap()));
            m.put("findings", list);
            m.put("notes", notes);
            return m;
        }
    }

    /** The whole report as JSON values ({@code verify --json}). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", ok());
        m.put("from", fromDay == null ? null : fromDay.toString());
        m.put("to", toDay == null ? null : toDay.toString());
        m.put("startedAt", startedAt.toString());
        m.put("durationMs", durationMillis);
        m.put("records", records);
        m.put("summary", summary());
        List<Object> list = new ArrayList<>();
        days.forEach(d -> list.add(d.toMap()));
        m.put("days", list);
        m.put("chain", chain.toMap());
        return m;
    }

    /** The counts, for the audit log and the last line of the text output. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", ok());
        m.put("days", days.size());
        m.put("okDays", count(Status.OK));
        m.put("mismatchDays", count(Status.MISMATCH));
        m.put("unsealedDays", count(Status.UNSEALED));
        m.put("openDays", count(Status.OPEN));
        m.put("records", records);
        m.put("purged", days.stream().mapToLong(DayReport::purged).sum());
        m.put("findings", findings());
        m.put("chainEntries", chain.entries());
        m.put("chainHead", chain.head());
        return m;
    }
}
