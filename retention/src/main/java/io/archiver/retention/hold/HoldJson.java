package io.archiver.retention.hold;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A hold as JSON, the same for the admin API and {@code hold list --json}: {@code id, participant,
 * conversation, reason, placedBy, placedAt, releasedAt, releasedBy, active}; every field is always
 * present ({@code null} when it does not apply), timestamps are RFC 3339 UTC strings.
 */
public final class HoldJson {

    private HoldJson() {
    }

    public static Map<String, Object> of(Hold hold) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", hold.id());
        json.put("participant", hold.participant());
        json.put("conversation", hold.conversation());
        json.put("reason", hold.reason());
        json.put("placedBy", hold.placedBy());
        json.put("placedAt", timestamp(hold.placedAt()));
        json.put("releasedAt", timestamp(hold.releasedAt()));
        json.put("releasedBy", hold.releasedBy());
        json.put("active", hold.active());
        return json;
    }

    /** {@code {"holds": [...]}}. */
    public static Map<String, Object> list(List<Hold> holds) {
        return Map.of("holds", holds.stream().map(HoldJson::of).toList());
    }

    /** RFC 3339 in UTC ({@code 2026-11-24T10:15:30.123456Z}), or {@code null}. */
    public static String timestamp(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
