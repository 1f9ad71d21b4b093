package io.archiver.compliance.conflicts;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.archiver.compliance.search.InvalidSearchException;
import io.archiver.core.auth.Principal;
import io.archiver.core.auth.Role;
import io.archiver.core.http.ApiException;
import io.archiver.core.http.BearerAuth;
import io.archiver.store.AuditLog;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/conflicts?limit=N&cursor=C} (role auditor, admin too): the records that arrived under an
 * archived id with other content, oldest first, {@code {"conflicts": [{"id", "stored": {record} | null,
 * "refused": {record}, "detectedAt"}], "nextCursor": "..." | null}} ({@link ConflictReader}). Both
 * versions are in the record form of {@link io.archiver.store.StoredRecord#write}; the refused one has
 * {@code archivedAt} and {@code exportedAt} null, and {@code stored} is null once its day was purged.
 * {@code limit} 1-{@value ConflictReader#MAX_LIMIT}, default {@value ConflictReader#DEFAULT_LIMIT};
 * {@code cursor} the previous page's {@code nextCursor}. {@code 400} with {@code details: [{"field",
 * "reason"}]} for a bad limit or cursor, an unknown or repeated parameter.
 *
 * <p>Audit: every call past the token check, before the answer: {@value #ACTION} with {@code {"limit",
 * "cursor": bool}} and {@code {"conflicts": n}}; a refused one with {@code {"status", "error"}}.
 */
public final class ConflictRoutes {

    public static final String PATH = "/v1/conflicts";
    public static final String ACTION = "conflicts.list";

    private static final List<String> PARAMETERS = List.of("limit", "cursor");
    private static final JsonFactory JSON = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final BearerAuth auth;
    private final ConflictReader reader;
    private final AuditLog audit;

    private ConflictRoutes(BearerAuth auth, ConflictReader reader, AuditLog audit) {
        this.auth = auth;
        this.reader = reader;
        this.audit = audit;
    }

    public static void register(Javalin app, BearerAuth auth, ConflictReader reader, AuditLog audit) {
        app.get(PATH, new ConflictRoutes(auth, reader, audit)::list);
    }

    private void list(Context ctx) throws SQLException, IOException {
        Principal principal = auth.require(ctx, Role.AUDITOR);
        int limit;
        String cursor;
        try {
            checkParameters(ctx);
            limit = limit(ctx.queryParam("limit"));
            String given = ctx.queryParam("cursor");
            cursor = given == null || given.isBlank() ? null : given;
        } catch (InvalidSearchException e) {
            throw refused(principal, ctx, e);
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("limit", limit);
        parameters.put("cursor", cursor != null);
        JsonGenerator[] json = new JsonGenerator[1];
        ConflictReader.PageInfo info;
        try {
            info = reader.read(limit, cursor, new ConflictReader.PageSink() {
                @Override
                public void start(ConflictReader.PageInfo page) throws IOException, SQLException {
                    // Audited before the answer: a read that could not be logged is not answered.
                    audit.record(principal.name(), ACTION, parameters, Map.of("conflicts", page.conflicts()));
                    ctx.status(200).contentType("application/json");
                    JsonGenerator g = JSON.createGenerator(ctx.outputStream(), JsonEncoding.UTF8);
                    g.writeStartObject();
                    g.writeArrayFieldStart("conflicts");
                    json[0] = g;
                }

                @Override
                public void conflict(Conflict conflict) throws IOException {
                    conflict.write(json[0]);
                }
            });
        } catch (InvalidSearchException e) {
            throw refused(principal, ctx, e);
        }
        JsonGenerator g = json[0];
        g.writeEndArray();
        g.writeStringField("nextCursor", info.nextCursor());
        g.writeEndObject();
        g.close();
    }

    /** 1-{@value ConflictReader#MAX_LIMIT}, default {@value ConflictReader#DEFAULT_LIMIT}. */
    public static int limit(String text) {
        if (text == null || text.isBlank()) {
            return ConflictReader.DEFAULT_LIMIT;
        }
        String value = text.strip();
        if (value.matches("[0-9]{1,9}")) {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= ConflictReader.MAX_LIMIT) {
                return limit;
            }
        }
        throw new InvalidSearchException("limit", "limit must be a whole number from 1 to " + ConflictReader.MAX_LIMIT
                + ", not '" + AuditLog.excerpt(text) + "'");
    }

    private static void checkParameters(Context ctx) {
        for (Map.Entry<String, List<String>> parameter : ctx.queryParamMap().entrySet()) {
            String name = AuditLog.excerpt(parameter.getKey());
            if (!PARAMETERS.contains(name)) {
                throw new InvalidSearchException(name, "unknown parameter '" + name + "'; expected " + String.join(", ", PARAMETERS));
            }
            if (parameter.getValue().size() > 1) {
                throw new InvalidSearchException(name, name + " is given " + parameter.getValue().size() + " times; give it once");
            }
        }
    }

    private ApiException refused(Principal principal, Context ctx, InvalidSearchException e) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((name, values) -> parameters.put(AuditLog.excerpt(name),
                values.size() == 1 ? AuditLog.excerpt(values.get(0)) : values.stream().map(AuditLog::excerpt).toList()));
        audit.recordRefusal(principal.name(), ACTION, parameters, 400, e.getMessage());
        return ApiException.badRequest(e.getMessage(), e.parameter(), e.getMessage());
    }
}
