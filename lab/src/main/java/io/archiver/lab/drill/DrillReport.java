package io.archiver.lab.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.archiver.core.text.Plural;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** The drills' figures as text for people and as JSON for scripts and tests. */
final class DrillReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final DrillSettings settings;
    private final List<DrillResult> drills;

    DrillReport(DrillSettings settings, List<DrillResult> drills) {
        this.settings = settings;
        this.drills = List.copyOf(drills);
    }

    /** Every planned drill ran, failed over, and lost and doubled nothing. */
    boolean ok() {
        return drills.size() == settings.drills() && drills.stream().allMatch(DrillResult::ok);
    }

    static String text(DrillResult d, int of) {
        StringBuilder out = new StringBuilder();
        out.append("drill ").append(d.number).append('/').append(of).append(": ").append(d.ok() ? "OK" : "FAILED").append('\n');
        if (d.oldPrimary != null) {
            out.append("  primary        ").append(d.oldPrimary).append(d.killedAt != null ? " killed" : " (not killed)")
                    .append(d.failedOver() ? "; " + d.newPrimary + " promoted, term " + d.termBefore + " -> " + d.term : "").append('\n');
        }
        if (d.killedAt != null) {
            out.append("  kill -> detected        ").append(seconds(d.killToDetected())).append('\n');
            out.append("  kill -> promoted        ").append(seconds(d.killToPromoted())).append('\n');
            out.append("  kill -> writes resumed  ").append(seconds(d.killToWritesResumed())).append("  (archive.failovers.writes_resumed_at)\n");
            out.append("  kill -> first archived  ").append(seconds(d.killToFirstArchived())).append("  (seen in the nodes' /metrics)\n");
        }
        out.append("  records        sent ").append(d.sent).append(", accepted ").append(d.accepted).append(", refused ").append(d.refused)
                .append(", archived ").append(d.archived).append(", lost ").append(d.lost).append(", doubled ").append(d.doubled)
                .append(" (archived but not accepted: ").append(d.archivedNotAccepted).append(")\n");
        if (d.drain != null) {
            out.append("  drain          ").append(seconds(d.drain)).append(d.drained ? "" : " (timed out)").append('\n');
        }
        if (!d.lostIds.isEmpty()) {
            out.append("  lost ids       ").append(String.join(", ", d.lostIds)).append(d.lost > d.lostIds.size() ? ", ..." : "").append('\n');
        }
        if (!d.doubledIds.isEmpty()) {
            out.append("  doubled ids    ").append(String.join(", ", d.doubledIds)).append(d.doubled > d.doubledIds.size() ? ", ..." : "").append('\n');
        }
        if (d.problem != null) {
            out.append("  problem        ").append(d.problem).append('\n');
        }
        return out.toString();
    }

    String summaryText() {
        Map<String, Object> s = summary();
        StringBuilder out = new StringBuilder("summary: ");
        out.append(drills.size()).append(" of ").append(Plural.of(settings.drills(), "drill")).append(" run, ")
                .append(s.get("failedOver")).append(" failed over; kill -> writes resumed max ")
                .append(secondsText(s.get("killToWritesResumedMaxSeconds"))).append(", mean ")
                .append(secondsText(s.get("killToWritesResumedMeanSeconds"))).append("; lost ").append(s.get("lost"))
                .append(", doubled ").append(s.get("doubled")).append(": ").append(ok() ? "OK" : "FAILED").append('\n');
        return out.toString();
    }

    String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("ok", ok());
        root.put("settings", settings.toMap());
        root.put("drills", drills.stream().map(DrillResult::toMap).toList());
        root.put("summary", summary());
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    Map<String, Object> summary() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("drills", settings.drills());
        map.put("run", drills.size());
        map.put("failedOver", drills.stream().filter(DrillResult::failedOver).count());
        map.put("killToWritesResumedMaxSeconds", max(DrillResult::killToWritesResumed));
        map.put("killToWritesResumedMeanSeconds", mean(DrillResult::killToWritesResumed));
        map.put("killToFirstArchivedMaxSeconds", max(DrillResult::killToFirstArchived));
        map.put("killToFirstArchivedMeanSeconds", mean(DrillResult::killToFirstArchived));
        map.put("lost", drills.stream().mapToLong(d -> d.lost).sum());
        map.put("doubled", drills.stream().mapToLong(d -> d.doubled).sum());
        map.put("ok", ok());
        return map;
    }

    private Double max(Function<DrillResult, Duration> figure) {
        return drills.stream().map(figure).filter(Objects::nonNull).max(Duration::compareTo).map(DrillResult::seconds).orElse(null);
    }

    private Double mean(Function<DrillResult, Duration> figure) {
        List<Duration> values = drills.stream().map(figure).filter(Objects::nonNull).toList();
        if (values.isEmpty()) {
            return null;
        }
        return DrillResult.seconds(values.stream().reduce(Duration.ZERO, Duration::plus).dividedBy(values.size()));
    }

    private static String seconds(Duration duration) {
        return duration == null ? "-" : String.format("%.2f s", duration.toMillis() / 1000.0);
    }

    private static String secondsText(Object seconds) {
        return seconds == null ? "-" : String.format("%.2f s", (Double) seconds);
    }
}
