package io.archiver.retention.purge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.core.auth.Principal;
import io.archiver.core.auth.Role;
import io.archiver.core.http.ApiException;
import io.archiver.core.http.BearerAuth;
import io.archiver.core.record.JsonErrors;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /v1/purges} (role admin): {@code {"dryRun", "olderThanDays"|"olderThanHours", "exportedOnly",
 * "maxRecords"}} -> 200 with the purge statistics; 400 for a bad body (naming the field), 409 while
 * another purge runs. The purge runs while the request waits, as OCS's purge cmdlet does.
 */
public final class PurgeRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("dryRun", "olderThanDays", "olderThanHours", "exportedOnly", "maxRecords");

    private PurgeRoutes() {
    }

    public static void register(Javalin app, BearerAuth auth, Purger purger) {
        app.post("/v1/purges", ctx -> purge(ctx, auth, purger));
    }

    private static void purge(Context ctx, BearerAuth auth, Purger purger) throws Exception {
        Principal who = auth.require(ctx, Role.ADMIN);
        PurgeRequest request = parse(ctx.body(), who.name());
        try {
            ctx.json(purger.run(request, Purger.Progress.NONE, () -> false).toMap());
        } catch (PurgeBusyException e) {
            throw new ApiException(409, e.getMessage());
        }
    }

    static PurgeRequest parse(String body, String actor) {
        JsonNode node;
        try {
            node = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new ApiException(400, JsonErrors.describe(e, body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        if (!node.isObject()) {
            throw new ApiException(400, "the body must be a JSON object like {\"olderThanDays\": 60, \"dryRun\": true}");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw error(name, "unknown field; expected one of dryRun, olderThanDays, olderThanHours, exportedOnly, maxRecords");
            }
        }
        try {
            return new PurgeRequest(PurgeRequest.Trigger.API, actor, bool(node, "dryRun"),
                    PurgeParameters.olderThan(number(node, "olderThanDays"), number(node, "olderThanHours"), "olderThanDays", "olderThanHours"),
                    bool(node, "exportedOnly"), PurgeParameters.maxRecords(number(node, "maxRecords"), "maxRecords"));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw error(field, "must be true or false");
        }
        return value.booleanValue();
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw error(field, "must be a whole number");
        }
        return value.longValue();
    }

    private static ApiException error(String field, String reason) {
        return new ApiException(400, "invalid purge request: " + field + " " + reason,
                List.of(java.util.Map.of("field", field, "reason", reason)), java.util.Map.of());
    }
}
