package io.archiver.compliance.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
import io.archiver.core.time.TimeOrDate;
import io.archiver.store.AuditLog;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Exports through the admin API (contract section 4), as jobs ({@link ExportJobs}):
 *
 * <ul>
 *   <li>{@code POST /v1/exports} (auditor; admin for {@code "markExported": true}, which makes records
 *       purgeable by exported-only retention) {@code {"from", "to", "participants": [...],
 *       "conversations": [...], "format": "eml|jsonl|csv", "markExported": bool}} -> {@code 202 {"id", "state"}}
 *       with {@code Location}; {@code 400} with {@code details: [{"field", "reason"}]} for bad JSON, unknown
 *       fields, bad times, URIs, ids or format.</li>
 *   <li>{@code GET /v1/exports/{id}} (auditor) -> {@code {"id", "state", "progress": {"records", "total"},
 *       "files": [{"name", "sha256", "records", "bytes"}], ...}}: the files (from the manifest) once done.</li>
 *   <li>{@code GET /v1/exports/{id}/files/{name}} (auditor) streams a file of a done export (or
 *       {@code manifest.json}); {@code 409} before it is done, {@code 404} for a name the manifest does not
 *       list, or when the files are on another node (the answer names it).</li>
 * </ul>
 *
 * Every call past the token check is audited: {@code export.request}, {@code export.status},
 * {@code export.download} (refusals too); the export itself is audited as {@code export} by the {@link Exporter}.
 */
public final class ExportRoutes {

    public static final String PATH = "/v1/exports";
    public static final int MAX_BODY_BYTES = 256 * 1024;
    static final String ACTION_REQUEST = "export.request";
    static final String ACTION_STATUS = "export.status";
    static final String ACTION_DOWNLOAD = "export.download";

    private static final Set<String> FIELDS = Set.of("from", "to", "participants", "conversations", "format", "markExported");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
    private static final ObjectMapper JSON = HttpServer.jsonMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
    private static final JsonFactory FACTORY = new JsonFactory();

    private final BearerAuth auth;
    private final ExportJobs jobs;
    private final AuditLog audit;

    private ExportRoutes(BearerAuth auth, ExportJobs jobs, AuditLog audit) {
        this.auth = auth;
        this.jobs = jobs;
        this.audit = audit;
    }

    /** Registers the routes; the jobs stop (a running export is queued again for the next start) when the server stops. */
    public static void register(Javalin app, BearerAuth auth, ExportJobs jobs, AuditLog audit) {
        ExportRoutes routes = new ExportRoutes(auth, jobs, audit);
        app.post(PATH, routes::request);
        app.get(PATH + "/{id}", routes::status);
        app.get(PATH + "/{id}/files/{name}", routes::download);
        app.events(events -> events.serverStopping(jobs::close));
    }

    private void request(Context ctx) throws SQLException {
        Principal principal = auth.require(ctx, Role.AUDITOR);
        byte[] body = readBody(ctx, principal);
        ExportQuery query;
        try {
            query = parse(body);
            if (query.markExported() && !principal.role().grants(Role.ADMIN)) {
                throw new ApiException(403, "markExported needs an admin token: it makes the records purgeable by exported-only retention");
            }
        } catch (ApiException e) {
            refused(principal, ACTION_REQUEST, Map.of("body", AuditLog.excerpt(new String(body, StandardCharsets.UTF_8))), e);
            throw e;
        }
        ExportJob job = jobs.submit(query, principal.name());
        audit.record(principal.name(), ACTION_REQUEST, query.asMap(), Map.of("id", job.id(), "node", job.node()));
        ctx.status(202).header("Location", PATH + "/" + job.id()).json(Map.of("id", job.id(), "state", job.state().wireName()));
    }

    private void status(Context ctx) throws SQLException, IOException {
        Principal principal = auth.require(ctx, Role.AUDITOR);
        ExportJob job = job(ctx, principal, ACTION_STATUS);
        audit.record(principal.name(), ACTION_STATUS, Map.of("id", job.id()), Map.of("state", job.state().wireName()));
        Path manifest = job.directory().resolve(OutputDir.MANIFEST);
        boolean withFiles = job.state() == ExportJob.State.DONE && Files.isRegularFile(manifest);
        ctx.contentType("application/json");
        try (OutputStream out = ctx.outputStream(); JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", job.id());
            g.writeStringField("state", job.state().wireName());
            g.writeObjectFieldStart("progress");
            g.writeNumberField("records", job.recordsDone());
            if (job.recordsTotal() != null) {
                g.writeNumberField("total", job.recordsTotal());
            } else {
                g.writeNullField("total");
            }
            g.writeEndObject();
            g.writeFieldName("query");
            JSON.writeValue(g, job.query().asMap());
            g.writeStringField("requestedBy", job.requestedBy());
            time(g, "requestedAt", job.requestedAt());
            time(g, "startedAt", job.startedAt());
            time(g, "finishedAt", job.finishedAt());
            g.writeStringField("node", job.node());
            g.writeNumberField("attempts", job.attempts());
            if (job.markedExported() != null) {
                g.writeNumberField("markedExported", job.markedExported());
            }
            if (job.manifestSha256() != null) {
                g.writeStringField("manifestSha256", job.manifestSha256());
            }
            if (job.error() != null) {
                g.writeStringField("error", job.error());
            }
            g.writeArrayFieldStart("files");
            if (withFiles) {
                copyFiles(manifest, g);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    /** The manifest's {@code files} array, element by element (an EML export may list a million files). */
    private static void copyFiles(Path manifest, JsonGenerator out) throws IOException {
        try (JsonParser p = FACTORY.createParser(manifest.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("files") && p.currentToken() == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        out.copyCurrentStructure(p);
                    }
                    return;
                }
                p.skipChildren();
            }
        }
    }

    /** Whether the manifest lists {@code name}. */
    private static boolean listed(Path manifest, String name) throws IOException {
        try (JsonParser p = FACTORY.createParser(manifest.toFile())) {
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME && p.currentName().equals("name")) {
                    p.nextToken();
                    if (name.equals(p.getText())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private void download(Context ctx) throws SQLException, IOException {
        Principal principal = auth.require(ctx, Role.AUDITOR);
        ExportJob job = job(ctx, principal, ACTION_DOWNLOAD);
        String name = ctx.pathParam("name");
        Map<String, Object> parameters = Map.of("id", job.id(), "name", AuditLog.excerpt(name));
        try {
            if (job.state() != ExportJob.State.DONE) {
                throw new ApiException(409, "export " + job.id() + " is " + job.state().wireName() + ": its files are there once it is done");
            }
            Path manifest = job.directory().resolve(OutputDir.MANIFEST);
            if (!Files.isRegularFile(manifest)) {
                throw new ApiException(404, "the files of export " + job.id() + " are on node " + job.node() + ", not on this one ("
                        + jobs.node() + "); ask that node");
            }
            if (!FILE_NAME.matcher(name).matches() || !(name.equals(OutputDir.MANIFEST) || listed(manifest, name))) {
                throw new ApiException(404, "export " + job.id() + " has no file '" + AuditLog.excerpt(name) + "' (see its manifest.json)");
            }
        } catch (ApiException e) {
            refused(principal, ACTION_DOWNLOAD, parameters, e);
            throw e;
        }
        Path file = job.directory().resolve(name);
        long size = Files.size(file);
        audit.record(principal.name(), ACTION_DOWNLOAD, parameters, Map.of("bytes", size));
        ctx.contentType(contentType(name));
        ctx.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
        ctx.header("Content-Length", Long.toString(size));
        try (InputStream in = Files.newInputStream(file); OutputStream out = ctx.outputStream()) {
            in.transferTo(out);
        }
    }

    static String contentType(String name) {
        if (name.endsWith(".jsonl")) {
            return "application/x-ndjson";
        }
        if (name.endsWith(".csv")) {
            return "text/csv; charset=utf-8; header=present";
        }
        if (name.endsWith(".eml")) {
            return "message/rfc822";
        }
        if (name.endsWith(".json")) {
            return "application/json";
        }
        return "application/octet-stream";
    }

    private ExportJob job(Context ctx, Principal principal, String action) throws SQLException {
        String id = ctx.pathParam("id");
        try {
            if (!ID.matcher(id).matches()) {
                throw ApiException.badRequest("export id must be a UUID as POST " + PATH + " gave it, not '" + AuditLog.excerpt(id) + "'",
                        "id", "must be a UUID");
            }
            return jobs.find(id).orElseThrow(() -> new ApiException(404, "no export with id " + id));
        } catch (ApiException e) {
            refused(principal, action, Map.of("id", AuditLog.excerpt(id)), e);
            throw e;
        }
    }

    private static void time(JsonGenerator g, String field, Instant value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value.toString());
        }
    }

    static ExportQuery parse(byte[] body) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (IOException e) {
            String reason = JsonErrors.describe(e, body);
            throw ApiException.badRequest(reason, "", reason);
        }
        if (node == null || node.isMissingNode() || !node.isObject()) {
            throw ApiException.badRequest("body must be a JSON object: {\"from\", \"to\", \"participants\", \"conversations\", \"format\", \"markExported\"}",
                    "", "must be a JSON object");
        }
        List<Map<String, String>> problems = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                problems.add(Map.of("field", AuditLog.excerpt(field), "reason", "unknown field (allowed: " + String.join(", ", new TreeSet<>(FIELDS)) + ")"));
            }
        }
        Instant from = time(node, "from", problems);
        Instant to = time(node, "to", problems);
        List<String> participants = strings(node, "participants", problems);
        List<String> conversations = strings(node, "conversations", problems);
        String format = null;
        if (node.hasNonNull("format")) {
            if (node.get("format").isTextual()) {
                format = node.get("format").textValue();
            } else {
                problems.add(Map.of("field", "format", "reason", "must be a string: eml, jsonl or csv"));
            }
        }
        if (format == null && !node.hasNonNull("format")) {
            problems.add(Map.of("field", "format", "reason", "required: eml, jsonl or csv"));
        } else if (format != null && ExportFormat.fromWire(format).isEmpty()) {
            problems.add(Map.of("field", "format", "reason", "must be eml, jsonl or csv, not '" + AuditLog.excerpt(format) + "'"));
        }
        boolean mark = false;
        if (node.hasNonNull("markExported")) {
            if (node.get("markExported").isBoolean()) {
                mark = node.get("markExported").booleanValue();
            } else {
                problems.add(Map.of("field", "markExported", "reason", "must be true or false"));
            }
        }
        if (problems.isEmpty()) {
            try {
                return ExportQuery.of(from, to, participants, conversations, format, mark, ExportQuery.Names.JSON);
            } catch (IllegalArgumentException e) {
                String field = e.getMessage().split("[ ']", 2)[0];
                problems.add(Map.of("field", field, "reason", e.getMessage()));
            }
        }
        throw new ApiException(400, "export refused: " + String.join("; ", problems.stream().map(p -> p.get("field") + ": " + p.get("reason")).toList()),
                problems, Map.of());
    }

    private static Instant time(JsonNode node, String field, List<Map<String, String>> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            problems.add(Map.of("field", field, "reason", "required: RFC 3339 or YYYY-MM-DD"));
            return null;
        }
        if (!value.isTextual()) {
            problems.add(Map.of("field", field, "reason", "must be a string: RFC 3339 or YYYY-MM-DD"));
            return null;
        }
        try {
            return TimeOrDate.argument(field, value.textValue());
        } catch (IllegalArgumentException e) {
            problems.add(Map.of("field", field, "reason", e.getMessage()));
            return null;
        }
    }

    private static List<String> strings(JsonNode node, String field, List<Map<String, String>> problems) {
        JsonNode value = node.get(field);
        List<String> values = new ArrayList<>();
        if (value == null || value.isNull()) {
            return values;
        }
        if (!value.isArray()) {
            problems.add(Map.of("field", field, "reason", "must be an array of strings"));
            return values;
        }
        for (JsonNode v : value) {
            if (!v.isTextual()) {
                problems.add(Map.of("field", field, "reason", "must be an array of strings"));
                return values;
            }
            values.add(v.textValue());
        }
        return values;
    }

    private byte[] readBody(Context ctx, Principal principal) {
        long declared = ctx.req().getContentLengthLong();
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = declared > MAX_BODY_BYTES ? new byte[MAX_BODY_BYTES + 1] : in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                ApiException e = new ApiException(413, "request body over " + MAX_BODY_BYTES + " bytes");
                refused(principal, ACTION_REQUEST, Map.of(), e);
                throw e;
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed: " + e.getMessage(), e);
        }
    }


    private void refused(Principal principal, String action, Map<String, ?> parameters, ApiException e) {
        audit.recordRefusal(principal.name(), action, parameters, e.status(), e.getMessage());
    }

}
