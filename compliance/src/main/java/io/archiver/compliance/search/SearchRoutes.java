package io.archiver.compliance.search;

import io.archiver.store.StoredRecord;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.archiver.core.auth.Principal;
import io.archiver.core.auth.Role;
import io.archiver.core.http.ApiException;
import io.archiver.core.http.BearerAuth;
import io.archiver.store.AuditLog;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The search part of the auditor's API (contract section 4), role auditor (admin too):
 *
 * <ul>
 *   <li>{@code GET /v1/records?participant=URI&conversation=ID&from=T&to=T&q=TEXT&limit=N&cursor=C} ->
 *       {@code {"records": [...], "nextCursor": "..." | null}}: records in {@code sentAt} order (then id),
 *       every filter optional and combined with AND; {@code from} inclusive, {@code to} exclusive (RFC 3339
 *       or {@code YYYY-MM-DD}, UTC midnight); {@code q} full text ({@code websearch_to_tsquery('simple')}:
 *       words, {@code "phrases"}, {@code or}, {@code -not}); {@code limit} 1-1000, default 100;
 *       {@code cursor} the previous page's {@code nextCursor}, valid only with the same filters. The first
 *       page freezes the end of the search at {@code min(to, now)}: see {@link RecordSearch}.</li>
 *   <li>{@code GET /v1/conversations/{id}} -> {@code {"conversationId", "participants": [...], "total",
 *       "truncated", ["hint",] "records": [...]}}: the participants sorted and distinct, the records in
 *       {@code sentAt} order, at most {@value RecordSearch#CONVERSATION_CAP} of them ({@code truncated}
 *       true and a {@code hint} to page with {@code /v1/records?conversation=} beyond); {@code 404} for a
 *       conversation the archive holds no record of. The id may contain {@code /} (the route takes the
 *       rest of the path); any id also works as {@code /v1/records?conversation=}.</li>
 * </ul>
 *
 * Records as JSON: {@link StoredRecord#write}. {@code 400} with {@code details: [{"field", "reason"}]} for
 * an unknown or repeated parameter, a bad time, limit, cursor, URI or conversation id, {@code from} after
 * {@code to}, a {@code q} without words. Answers are streamed: memory does not grow with the page.
 *
 * <p>Audit: every call that passed the token check is in {@code archive.audit_log} under the token's
 * name, before the answer: {@code search} and {@code conversation}, with the parameters and
 * {@code {"records": n}}; the refused ones with {@code {"status", "error"}}.
 */
public final class SearchRoutes {

    public static final String RECORDS = "/v1/records";
    public static final String CONVERSATIONS = "/v1/conversations";
    public static final String ACTION_SEARCH = "search";
    public static final String ACTION_CONVERSATION = "conversation";

    private static final Logger log = LoggerFactory.getLogger(SearchRoutes.class);
    private static final List<String> PARAMETERS = List.of("participant", "conversation", "from", "to", "q", "limit", "cursor");
    private static final Set<String> KNOWN = Set.copyOf(PARAMETERS);
    private static final JsonFactory JSON = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final BearerAuth auth;
    private final RecordSearch search;
    private final AuditLog audit;

    private SearchRoutes(BearerAuth auth, RecordSearch search, AuditLog audit) {
        this.auth = auth;
        this.search = search;
        this.audit = audit;
    }

    public static void register(Javalin app, BearerAuth auth, RecordSearch search, AuditLog audit) {
        SearchRoutes routes = new SearchRoutes(auth, search, audit);
        app.get(RECORDS, routes::records);
        app.get(CONVERSATIONS + "/<id>", routes::conversation);
    }

    private void records(Context ctx) throws SQLException, IOException {
        Principal principal = auth.require(ctx, Role.AUDITOR);
        SearchQuery query;
        int limit;
        String cursor;
        try {
            checkParameters(ctx);
            query = SearchQuery.parse(ctx.queryParam("participant"), ctx.queryParam("conversation"), ctx.queryParam("from"),
                    ctx.queryParam("to"), ctx.queryParam("q"));
            limit = limit(ctx.queryParam("limit"));
            cursor = blankToNull(ctx.queryParam("cursor"));
        } catch (InvalidSearchException e) {
            throw refused(principal, ACTION_SEARCH, rawParameters(ctx), e);
        }
        Map<String, Object> parameters = parameters(query, limit, cursor);
        JsonGenerator[] json = new JsonGenerator[1];
        RecordSearch.PageInfo info;
        try {
            info = search.search(query, limit, cursor, new RecordSearch.PageSink() {
                @Override
                public void start(RecordSearch.PageInfo page) throws IOException, SQLException {
                    parameters.put("until", page.until().toString());
                    // Audited before the answer: an auditor's read that could not be logged is not answered.
                    audit.record(principal.name(), ACTION_SEARCH, parameters, Map.of("records", page.records()));
                    json[0] = startJson(ctx);
                    json[0].writeArrayFieldStart("records");
                }

                @Override
                public void record(StoredRecord record) throws IOException {
                    record.write(json[0]);
                }
            });
        } catch (InvalidSearchException e) {
            throw refused(principal, ACTION_SEARCH, rawParameters(ctx), e);
        }
        JsonGenerator g = json[0];
        g.writeEndArray();
        g.writeStringField("nextCursor", info.nextCursor());
        g.writeEndObject();
        g.close();
    }

    private void conversation(Context ctx) throws SQLException, IOException {
        Principal principal = auth.require(ctx, Role.AUDITOR);
        String id = ctx.pathParam("id");
        if (!ctx.queryParamMap().isEmpty()) {
            throw refused(principal, ACTION_CONVERSATION, Map.of("id", SearchQuery.excerpt(id)), new InvalidSearchException(
                    ctx.queryParamMap().keySet().iterator().next(), "this call takes no query parameters; to page through a "
                    + "conversation use " + RECORDS + "?conversation=ID&limit=N&cursor=C"));
        }
        JsonGenerator[] json = new JsonGenerator[1];
        Optional<RecordSearch.ConversationInfo> found;
        try {
            found = search.conversation(id, RecordSearch.CONVERSATION_CAP, new RecordSearch.ConversationSink() {
                @Override
                public void start(RecordSearch.ConversationInfo c) throws IOException, SQLException {
                    Map<String, Object> result = new LinkedHashMap<>();
                    result.put("records", c.records());
                    result.put("truncated", c.truncated());
                    audit.record(principal.name(), ACTION_CONVERSATION, Map.of("id", c.conversationId()), result);
                    JsonGenerator g = startJson(ctx);
                    json[0] = g;
                    g.writeStringField("conversationId", c.conversationId());
                    g.writeArrayFieldStart("participants");
                    for (String participant : c.participants()) {
                        g.writeString(participant);
                    }
                    g.writeEndArray();
                    g.writeNumberField("total", c.total());
                    g.writeBooleanField("truncated", c.truncated());
                    if (c.truncated()) {
                        g.writeStringField("hint", "the conversation has " + c.total() + " records; these are the first "
                                + c.records() + " in sentAt order; page through all of them with GET " + RECORDS
                                + "?conversation=<id, URL-encoded>&limit=1000 and then &cursor=<nextCursor>");
                    }
                    g.writeArrayFieldStart("records");
                }

                @Override
                public void record(StoredRecord record) throws IOException {
                    record.write(json[0]);
                }
            });
        } catch (InvalidSearchException e) {
            throw refused(principal, ACTION_CONVERSATION, Map.of("id", SearchQuery.excerpt(id)), e);
        }
        if (found.isEmpty()) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("records", 0);
            result.put("status", 404);
            audit.record(principal.name(), ACTION_CONVERSATION, Map.of("id", id), result);
            throw new ApiException(404, "the archive holds no record of conversation '" + SearchQuery.excerpt(id) + "'");
        }
        JsonGenerator g = json[0];
        g.writeEndArray();
        g.writeEndObject();
        g.close();
    }

    private static JsonGenerator startJson(Context ctx) throws IOException {
        ctx.status(200).contentType("application/json");
        OutputStream out = ctx.outputStream();
        JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8);
        g.writeStartObject();
        return g;
    }

    private static void checkParameters(Context ctx) {
        for (Map.Entry<String, List<String>> parameter : ctx.queryParamMap().entrySet()) {
            String name = parameter.getKey();
            if (!KNOWN.contains(name)) {
                throw new InvalidSearchException(SearchQuery.excerpt(name), "unknown parameter '" + SearchQuery.excerpt(name)
                        + "'; expected " + String.join(", ", PARAMETERS));
            }
            if (parameter.getValue().size() > 1) {
                throw new InvalidSearchException(name, name + " is given " + parameter.getValue().size()
                        + " times; give it once (one value per filter)");
            }
        }
    }

    static int limit(String text) {
        if (text == null || text.isBlank()) {
            return RecordSearch.DEFAULT_LIMIT;
        }
        String value = text.strip();
        if (value.matches("[0-9]{1,9}")) {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= RecordSearch.MAX_LIMIT) {
                return limit;
            }
        }
        throw new InvalidSearchException("limit", "limit must be a whole number from 1 to " + RecordSearch.MAX_LIMIT
                + ", not '" + SearchQuery.excerpt(text) + "'");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** The normalised filters actually used, for the audit log. */
    private static Map<String, Object> parameters(SearchQuery query, int limit, String cursor) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        putIfPresent(parameters, "participant", query.participant());
        putIfPresent(parameters, "conversation", query.conversation());
        putIfPresent(parameters, "from", query.from() == null ? null : query.from().toString());
        putIfPresent(parameters, "to", query.to() == null ? null : query.to().toString());
        putIfPresent(parameters, "q", query.text());
        parameters.put("limit", limit);
        parameters.put("cursor", cursor != null);
        return parameters;
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /** The query parameters as given, cut short, for auditing a refused call. */
    private static Map<String, Object> rawParameters(Context ctx) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((name, values) -> parameters.put(SearchQuery.excerpt(name),
                values.size() == 1 ? SearchQuery.excerpt(values.get(0)) : values.stream().map(SearchQuery::excerpt).toList()));
        return parameters;
    }

    /** Audits a refused call (a failure to do so is logged) and gives the 400 to throw. */
    private ApiException refused(Principal principal, String action, Map<String, ?> parameters, InvalidSearchException e) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", 400);
        result.put("error", e.getMessage());
        try {
            audit.record(principal.name(), action, parameters, result);
        } catch (SQLException | RuntimeException failure) {
            log.warn("could not audit a refused {} by {}: {}", action, principal.name(), failure.getMessage());
        }
        return ApiException.badRequest(e.getMessage(), e.parameter(), e.getMessage());
    }
}
