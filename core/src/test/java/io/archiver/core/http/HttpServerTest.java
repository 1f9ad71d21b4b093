package io.archiver.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.archiver.core.metrics.Metrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The shared listener on a real port: JSON 404 for an unknown path, JSON 405 with Allow for a wrong method. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer server;

    @BeforeAll
    void start() {
        server = HttpServer.start("127.0.0.1", 0, Metrics.newRegistry("test", "test"), () -> new Health(true, Map.of()), app -> {
            app.post("/v1/records", ctx -> ctx.status(202).json(Map.of("accepted", 0)));
            app.get("/v1/holds/{id}", ctx -> ctx.json(Map.of("id", ctx.pathParam("id"))));
            app.delete("/v1/holds/{id}", ctx -> ctx.status(204));
            app.get("/v1/refused", ctx -> {
                throw new ApiException(403, "not for you");
            });
            app.get("/v1/empty-404", ctx -> ctx.status(404));
        });
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void assertJson(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    }

    @Test
    void anUnknownPathIsAJson404() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/nope");
        assertThat(response.statusCode()).isEqualTo(404);
        assertJson(response);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("no such endpoint: GET /v1/nope");

        HttpResponse<String> post = send("POST", "/v1/nope/deeper");
        assertThat(post.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(post.body()).get("error").asText()).isEqualTo("no such endpoint: POST /v1/nope/deeper");
    }

    @Test
    void anUnknownPathIsJsonEvenForAnHtmlBrowser() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/nope"))
                .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8").GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertJson(response);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("no such endpoint: GET /v1/nope");
    }

    @Test
    void aWrongMethodIsAJson405WithAllow() throws Exception {
        HttpResponse<String> response = send("PUT", "/v1/records");
        assertThat(response.statusCode()).isEqualTo(405);
        assertJson(response);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("method PUT not allowed on /v1/records");
        assertThat(body.get("allowed")).extracting(JsonNode::asText).containsExactly("POST");
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void aWrongMethodOnAPathWithAParameterNamesEveryMethodOfThatPath() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/holds/h-1");
        assertThat(response.statusCode()).isEqualTo(405);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo("method POST not allowed on /v1/holds/h-1");
        assertThat(body.get("allowed")).extracting(JsonNode::asText).contains("GET", "DELETE").doesNotContain("POST");
        assertThat(response.headers().firstValue("Allow").orElseThrow().split(", ")).contains("GET", "DELETE");
    }

    @Test
    void theHtmlAcceptHeaderDoesNotChangeThe405() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/records"))
                .header("Accept", "text/html").GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(405);
        assertJson(response);
        assertThat(JSON.readTree(response.body()).get("allowed")).extracting(JsonNode::asText).containsExactly("POST");
    }

    @Test
    void knownRoutesAndTheirOwnErrorsAreUnchanged() throws Exception {
        assertThat(send("POST", "/v1/records").statusCode()).isEqualTo(202);
        assertThat(send("GET", "/v1/holds/h-1").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = send("GET", "/v1/refused");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("not for you");
        HttpResponse<String> empty = send("GET", "/v1/empty-404");
        assertThat(empty.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(empty.body()).get("error").asText()).isEqualTo("no such endpoint: GET /v1/empty-404");
    }
}
