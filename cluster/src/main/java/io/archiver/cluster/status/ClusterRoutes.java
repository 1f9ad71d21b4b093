package io.archiver.cluster.status;

import io.archiver.core.auth.Principal;
import io.archiver.core.auth.Role;
import io.archiver.core.http.BearerAuth;
import io.archiver.store.AuditLog;
import io.javalin.Javalin;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /v1/cluster} (role auditor or admin): this node, the database servers with their roles and
 * lag, the archive nodes and queue depths, the last failovers and the scheduled jobs (see
 * {@link ClusterStatus}). Audited like every auditor call.
 */
public final class ClusterRoutes {

    private ClusterRoutes() {
    }

    public static void register(Javalin app, BearerAuth auth, ClusterStatus status, Map<String, Object> thisNode, AuditLog audit) {
        app.get("/v1/cluster", ctx -> {
            Principal who = auth.require(ctx, Role.AUDITOR);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("node", thisNode);
            body.putAll(status.read());
            Map<String, Object> result = new LinkedHashMap<>();
            Object database = body.get("database");
            result.put("primary", database instanceof Map<?, ?> map ? map.get("primary") : null);
            try {
                audit.record(who.name(), "cluster.status", Map.of(), result);
            } catch (java.sql.SQLException e) {
                // The page matters most when the database is in trouble: answer it anyway.
                body.put("auditNotWritten", e.getMessage());
            }
            ctx.json(body);
        });
    }
}
