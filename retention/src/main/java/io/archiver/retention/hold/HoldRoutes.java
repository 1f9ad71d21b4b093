package io.archiver.retention.hold;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.core.auth.Principal;
import io.archiver.core.auth.Role;
import io.archiver.core.http.ApiException;
import io.archiver.core.http.BearerAuth;
import io.archiver.core.http.HttpServer;
import io.archiver.core.record.JsonErrors;
import io.archiver.store.AuditLog;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The legal-hold part of the admin API (contract section 4):
 *
 * <ul>
 *   <li>{@code POST /v1/holds} (admin) {@code {"participant": "sip:..."} | {"conversation": "..."}} plus
 *       {@code "reason"} -> {@code 201} the hold (with {@code id}) and {@code otherActiveHolds} (ids of the
 *       other active holds on the same target; a second hold on a target is a new hold, see
 *       {@link HoldStore}); {@code 400} with {@code details: [{"field", "reason"}]} for bad JSON, unknown
 *       fields, both or neither targets, a bad URI or conversation id, a missing or over-long reason;
 *       {@code 413} over 64 KiB.</li>
 *   <li>{@code GET /v1/holds[?all=true]} (auditor) -> {@code {"holds": [...]}}, the active ones unless
 *       {@code all=true}.</li>
 *   <li>{@code GET /v1/holds/{id}} (auditor) -> the hold, or {@code 404}.</li>
 *   <li>{@code DELETE /v1/holds/{id}} (admin) releases -> {@code 200} the released hold; {@code 404}
 *       unknown id; {@code 409} already released (the message says when and by whom, {@code details}
 *       holds the hold); {@code 400} an id that is not a positive whole number.</li>
 * </ul>
 *
 * The token is checked first ({@code 401} none or unknown, {@code 403} wrong role). Every call that
 * passed the token check is in {@code archive.audit_log} under the token's name, the refused ones
 * too: {@code hold.place}, {@code hold.release} (written by {@link HoldStore} in the transaction of
 * the change), {@code hold.list} (with the count), {@code hold.get}.
 */
public final class HoldRoutes {

    public static final String PATH = "/v1/holds";
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private static final Set<String> FIELDS = Set.of("participant", "conversation", "reason");
    private static final Pattern ID = Pattern.compile("[0-9]{1,18}");
    private static final ObjectMapper JSON = HttpServer.jsonMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());

    private final BearerAuth auth;
    private final HoldStore holds;
    private final AuditLog audit;

    private HoldRoutes(BearerAuth auth, HoldStore holds, AuditLog audit) {
        this.auth = auth;
        this.holds = holds;
        this.audit = audit;
    }

    public static void register(Javalin app, BearerAuth auth, HoldStore holds, AuditLog audit) {
        HoldRoutes routes = new HoldRoutes(auth, holds, audit);
        app.post(PATH, routes::place);
        app.get(PATH, routes::list);
        app.get(PATH + "/{id}", routes::get);
        app.delete(PATH + "/{id}", routes::release);
    }

    private void place(Context ctx) throws SQLException {
        Principal principal = auth.require(ctx, Role.ADMIN);
        byte[] body = readBody(ctx, principal);
        HoldRequest request;
        try {
            request = parse(body);
        } catch (ApiException e) {
            refused(principal, HoldStore.ACTION_PLACE, Map.of("body", AuditLog.excerpt(new String(body, StandardCharsets.UTF_8))), e);
            throw e;
        }
        Hold hold;
        try {
            hold = holds.place(request, principal.name());
        } catch (InvalidHoldException e) {
            // Only the actor is left to refuse here: a token name the audit log cannot take.
            throw new ApiException(400, "hold refused: " + e.getMessage(),
                    e.problems().stream().map(p -> Map.of("field", p.field(), "reason", p.reason())).toList(), Map.of());
        }
        List<Long> others = holds.activeOn(request.target()).stream().map(Hold::id).filter(id -> id != hold.id()).toList();
        Map<String, Object> json = HoldJson.of(hold);
        json.put("otherActiveHolds", others);
        ctx.status(201).header("Location", PATH + "/" + hold.id()).json(json);
    }

    private void list(Context ctx) throws SQLException {
        Principal principal = auth.require(ctx, Role.AUDITOR);
        String all = ctx.queryParam("all");
        boolean includeReleased;
        if (all == null || all.isEmpty() || all.equalsIgnoreCase("false")) {
            includeReleased = false;
        } else if (all.equalsIgnoreCase("true")) {
            includeReleased = true;
        } else {
            ApiException e = ApiException.badRequest("query parameter all must be true or false, not '" + AuditLog.excerpt(all) + "'", "all",
                    "must be true or false");
            refused(principal, HoldStore.ACTION_LIST, Map.of("all", AuditLog.excerpt(all)), e);
            throw e;
        }
        List<Hold> found = holds.list(includeReleased);
        // Audited before the answer: an auditor's read that could not be logged is not answered.
        audit.record(principal.name(), HoldStore.ACTION_LIST, Map.of("all", includeReleased), Map.of("count", found.size()));
        ctx.json(HoldJson.list(found));
    }

    private void get(Context ctx) throws SQLException {
        Principal principal = auth.require(ctx, Role.AUDITOR);
        long id = id(ctx, principal, HoldStore.ACTION_GET);
        Optional<Hold> hold = holds.find(id);
        audit.record(principal.name(), HoldStore.ACTION_GET, Map.of("id", id), Map.of("found", hold.isPresent()));
        ctx.json(HoldJson.of(hold.orElseThrow(() -> notFound(id))));
    }

    private void release(Context ctx) throws SQLException {
        Principal principal = auth.require(ctx, Role.ADMIN);
        long id = id(ctx, principal, HoldStore.ACTION_RELEASE);
        try {
            Hold released = holds.release(id, principal.name()).orElseThrow(() -> notFound(id));
            ctx.json(HoldJson.of(released));
        } catch (HoldAlreadyReleasedException e) {
            throw new ApiException(409, e.getMessage(), List.of(HoldJson.of(e.hold())), Map.of());
        }
    }

    private long id(Context ctx, Principal principal, String action) {
        String raw = ctx.pathParam("id");
        if (ID.matcher(raw).matches()) {
            return Long.parseLong(raw);
        }
        ApiException e = ApiException.badRequest("hold id must be a positive whole number, not '" + AuditLog.excerpt(raw) + "'", "id",
                "must be a positive whole number");
        refused(principal, action, Map.of("id", AuditLog.excerpt(raw)), e);
        throw e;
    }

    private static ApiException notFound(long id) {
        return new ApiException(404, "no hold with id " + id);
    }

    private static HoldRequest parse(byte[] body) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            String reason = JsonErrors.describe(e, body);
            throw ApiException.badRequest(reason, "", reason);
        }
        if (node == null || node.isMissingNode()) {
            throw ApiException.badRequest("body is empty: send {\"participant\": \"sip:user@domain\"} or {\"conversation\": \"ID\"} with \"reason\"",
                    "", "empty body");
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("body must be a JSON object, not " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT),
                    "", "must be a JSON object");
        }
        List<InvalidHoldException.Problem> problems = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!FIELDS.contains(field.getKey())) {
                problems.add(new InvalidHoldException.Problem(AuditLog.excerpt(field.getKey()),
                        "unknown field (allowed: participant, conversation, reason)"));
            } else if (field.getValue().isTextual()) {
                values.put(field.getKey(), field.getValue().textValue());
            } else if (!field.getValue().isNull()) {
                problems.add(new InvalidHoldException.Problem(field.getKey(), "must be a string"));
            }
        }
        boolean typeProblem = !problems.isEmpty();
        try {
            HoldRequest request = HoldRequest.of(values.get("participant"), values.get("conversation"), values.get("reason"));
            if (!typeProblem) {
                return request;
            }
        } catch (InvalidHoldException e) {
            for (InvalidHoldException.Problem problem : e.problems()) {
                // A field given with the wrong type is reported once, as such, not again as missing.
                boolean alreadyReported = problems.stream().anyMatch(p -> p.field().equals(problem.field()));
                if (!alreadyReported) {
                    problems.add(problem);
                }
            }
        }
        throw new ApiException(400, "hold refused: " + new InvalidHoldException(problems).getMessage(),
                problems.stream().map(p -> Map.of("field", p.field(), "reason", p.reason())).toList(), Map.of());
    }

    private byte[] readBody(Context ctx, Principal principal) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BODY_BYTES) {
            throw tooLarge(principal);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw tooLarge(principal);
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed: " + e.getMessage(), e);
        }
    }

    private ApiException tooLarge(Principal principal) {
        ApiException e = new ApiException(413, "request body over " + MAX_BODY_BYTES + " bytes; a hold is a few hundred");
        refused(principal, HoldStore.ACTION_PLACE, Map.of(), e);
        return e;
    }


    private void refused(Principal principal, String action, Map<String, ?> parameters, ApiException e) {
        audit.recordRefusal(principal.name(), action, parameters, e.status(), e.getMessage());
    }

}
