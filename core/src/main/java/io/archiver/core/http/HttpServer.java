package io.archiver.core.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.json.JavalinJackson;
import io.javalin.router.EndpointNotFound;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP listener every role shares: JSON errors, {@code /health/live}, {@code /health/ready} and
 * {@code /metrics}; the role adds its own routes.
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    private final Javalin app;

    private HttpServer(Javalin app) {
        this.app = app;
    }

    public static ObjectMapper jsonMapper() {
        return new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    public static HttpServer start(String host, int port, PrometheusMeterRegistry metrics, Supplier<Health> readiness,
                                   Consumer<Javalin> routes) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = false;
            config.jsonMapper(new JavalinJackson(jsonMapper(), false));
            // Bodies are read and limited by the routes themselves (413 with a message); this only
            // keeps Javalin's own reader from refusing first.
            config.http.maxRequestSize = Long.MAX_VALUE;
            // A known path asked with a method it does not serve is a 405 naming the methods it does,
            // not a 404 as if the path did not exist.
            config.http.prefer405over404 = true;
        });
        app.exception(ApiException.class, (e, ctx) -> {
            e.headers().forEach(ctx::header);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", e.getMessage());
            if (!e.details().isEmpty()) {
                body.put("details", e.details());
            }
            ctx.status(e.status()).json(body);
        });
        app.exception(Exception.class, (e, ctx) -> {
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
            ctx.status(500).json(Map.of("error", "internal error: " + e.getClass().getSimpleName()));
        });
        // Javalin's own answers when no route matches: plain text unless overridden. EndpointNotFound is
        // what Javalin throws for an unknown path (a route's own NotFoundResponse is left alone).
        app.exception(EndpointNotFound.class, (e, ctx) -> noSuchEndpoint(ctx));
        app.exception(MethodNotAllowedResponse.class, (e, ctx) -> methodNotAllowed(e, ctx));
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                noSuchEndpoint(ctx);
            }
        });
        app.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
        app.get("/health/ready", ctx -> {
            Health health = readiness.get();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", health.ready() ? "UP" : "DOWN");
            body.put("checks", health.checks());
            ctx.status(health.ready() ? 200 : 503).json(body);
        });
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        routes.accept(app);
        app.start(host, port);
        return new HttpServer(app);
    }

    private static void noSuchEndpoint(Context ctx) {
        ctx.status(404).json(Map.of("error", "no such endpoint: " + ctx.method() + " " + ctx.path()));
    }

    /**
     * 405 with {@code Allow} and {@code "allowed"}: the methods Javalin found for the path, which it hands
     * over as one comma-separated detail ({@code availableMethods}, or {@code Available methods} when the
     * client accepts HTML).
     */
    private static void methodNotAllowed(MethodNotAllowedResponse e, Context ctx) {
        List<String> allowed = new ArrayList<>();
        for (String methods : e.getDetails().values()) {
            for (String method : methods.split(",")) {
                String name = method.strip().toUpperCase(Locale.ROOT);
                if (!name.isEmpty() && !allowed.contains(name)) {
                    allowed.add(name);
                }
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "method " + ctx.method() + " not allowed on " + ctx.path());
        body.put("allowed", allowed);
        ctx.header("Allow", String.join(", ", allowed));
        ctx.status(405).json(body);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
