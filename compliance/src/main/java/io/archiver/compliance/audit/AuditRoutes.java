package io.archiver.compliance.audit;

import io.archiver.compliance.cursor.CheckedCursor;
import io.archiver.core.auth.Principal;
import io.archiver.core.auth.Role;
import io.archiver.core.http.ApiException;
import io.archiver.core.http.BearerAuth;
import io.archiver.core.time.TimeOrDate;
import io.archiver.store.AuditLog;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/audit?actor=&action=&from=&to=&limit=&cursor=} (role auditor): the audit log, oldest
 * first, {@code {"entries": [{"id", "at", "actor", "action", "parameters", "result"}], "nextCursor"}}.
 * Reading the audit log is itself audited ({@code audit.read}), as every auditor call is.
 */
public final class AuditRoutes {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    private static final Set<String> PARAMETERS = Set.of("actor", "action", "from", "to", "limit", "cursor");
    private static final CheckedCursor CURSOR = new CheckedCursor("archiver audit cursor", (byte) 1);

    private AuditRoutes() {
    }

    public static void register(Javalin app, BearerAuth auth, AuditReader reader, AuditLog audit) {
        app.get("/v1/audit", ctx -> read(ctx, auth, reader, audit));
    }

    private static void read(Context ctx, BearerAuth auth, AuditReader reader, AuditLog audit) throws Exception {
        Principal who = auth.require(ctx, Role.AUDITOR);
        for (String name : ctx.queryParamMap().keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw new ApiException(400, "unknown parameter '" + name + "'; expected actor, action, from, to, limit, cursor");
            }
        }
        Instant from = time(ctx.queryParam("from"), "from");
        Instant to = time(ctx.queryParam("to"), "to");
        if (from != null && to != null && from.isAfter(to)) {
            throw new ApiException(400, "from (" + from + ") is after to (" + to + ")");
        }
        int limit = limit(ctx.queryParam("limit"));
        Long after = cursor(ctx.queryParam("cursor"));
        AuditReader.Page page = reader.read(blankToNull(ctx.queryParam("actor")), blankToNull(ctx.queryParam("action")),
                from, to, after, limit);
        Map<String, Object> parameters = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((name, values) -> parameters.put(name, values.size() == 1 ? values.get(0) : values));
        audit.record(who.name(), "audit.read", parameters, Map.of("entries", page.entries().size()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entries", page.entries());
        body.put("nextCursor", page.lastId() == null ? null : encode(page.lastId()));
        ctx.json(body);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** RFC 3339, or YYYY-MM-DD for UTC midnight, as on the command line. */
    static Instant time(String text, String name) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return TimeOrDate.parse(text);
        } catch (DateTimeException e) {
            throw new ApiException(400, name + " must be RFC 3339 (2026-11-24T10:15:30Z) or YYYY-MM-DD, not '" + text + "'");
        }
    }

    private static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // falls through to the message
        }
        throw new ApiException(400, "limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + text + "'");
    }

    /** A {@link CheckedCursor} of the last entry's id. */
    static String encode(long lastId) {
        return CURSOR.seal(ByteBuffer.allocate(8).putLong(lastId).array());
    }

    private static Long cursor(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        ByteBuffer body;
        try {
            body = CURSOR.open(text, 8, 8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
        return body.getLong();
    }
}
