package io.archiver.store.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.core.auth.TokenStore;
import io.archiver.core.http.BearerAuth;
import io.archiver.core.http.Health;
import io.archiver.core.http.HttpServer;
import io.archiver.core.metrics.Metrics;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The real HTTP listener on an ephemeral port with a real token file of three tokens, and a client for it: the
 * setup every route test shares, so each test only says which routes it registers and what it asks.
 */
public final class ApiServer implements AutoCloseable {

    /** Role ingest, name {@code fe-1}. */
    public static final String INGEST = "tok-ingest-1";
    /** Role auditor, name {@code audit-anna}. */
    public static final String AUDITOR = "tok-auditor-1";
    /** Role admin, name {@code admin-otto}. */
    public static final String ADMIN = "tok-admin-1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    private ApiServer(HttpServer server) {
        this.server = server;
    }

    /** Writes {@code dir/tokens} and starts the listener on 127.0.0.1 with the routes {@code routes} registers. */
    public static ApiServer start(Path dir, BiConsumer<Javalin, BearerAuth> routes) throws IOException {
        Path tokens = Files.writeString(dir.resolve("tokens"),
                "# test tokens\n" + INGEST + " ingest fe-1\n" + AUDITOR + " auditor audit-anna\n" + ADMIN + " admin admin-otto\n");
        BearerAuth auth = new BearerAuth(TokenStore.load(tokens));
        return new ApiServer(HttpServer.start("127.0.0.1", 0, Metrics.newRegistry("node", "test"), () -> new Health(true, Map.of()),
                app -> routes.accept(app, auth)));
    }

    public int port() {
        return server.port();
    }

    /** An answer: the status, the body parsed as JSON (null when empty or not JSON) and the response itself. */
    public record ApiResponse(int status, JsonNode body, HttpResponse<String> raw) {
    }

    public ApiResponse get(String path, String token) throws IOException, InterruptedException {
        return send("GET", path, token, null);
    }

    /** POST with {@code json} as an {@code application/json} body. */
    public ApiResponse post(String path, String token, String json) throws IOException, InterruptedException {
        return send("POST", path, token, json);
    }

    public ApiResponse delete(String path, String token) throws IOException, InterruptedException {
        return send("DELETE", path, token, null);
    }

    /** Any method; {@code token} null sends no Authorization header, {@code json} null sends no body. */
    public ApiResponse send(String method, String path, String token, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path, token)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new ApiResponse(response.statusCode(), parse(response.body()), response);
    }

    /** GET with the body as bytes, for downloads. */
    public HttpResponse<byte[]> getBytes(String path, String token) throws IOException, InterruptedException {
        return client.send(request(path, token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    private static JsonNode parse(String body) {
        if (body.isEmpty()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
