package io.archiver.app.send;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Posts NDJSON batches to a front-end's {@code POST /v1/records}. A batch is retried while the
 * front-end is unreachable or answers 503 (honouring Retry-After); records are idempotent by id, so
 * a retry after an unanswered request can never double one.
 */
public final class RecordSender {

    /** The front-end refused the batch for good (4xx); the body says why. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        RefusedException(int status, String body) {
            super("front-end refused the batch with " + status + ": " + body);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Told of each retry: why the batch did not go in, and how long until the next try. */
    @FunctionalInterface
    public interface RetryListener {
        RetryListener NONE = (attempt, reason, delay) -> { };

        /** {@code attempt}: the retry about to come, from 1 for the batch. */
        void retrying(int attempt, String reason, Duration delay);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;
    private final String token;
    private final Duration giveUpAfter;
    private final RetryListener retries;

    public RecordSender(String baseUrl, String token, Duration giveUpAfter) {
        this(baseUrl, token, giveUpAfter, RetryListener.NONE);
    }

    public RecordSender(String baseUrl, String token, Duration giveUpAfter, RetryListener retries) {
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/v1/records");
        this.token = token;
        this.giveUpAfter = giveUpAfter;
        this.retries = retries;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Sends one batch and returns the number of records the front-end accepted. */
    public int send(byte[] ndjson) throws IOException, InterruptedException, RefusedException {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        long backoffMillis = 100;
        int attempt = 0;
        String lastReason = null;
        while (true) {
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(ndjson))
                    .build();
            long waitMillis;
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 202) {
                    return acceptedCount(response.body());
                }
                if (status != 503) {
                    throw new RefusedException(status, response.body());
                }
                OptionalLong retryAfter = response.headers().firstValueAsLong("Retry-After");
                waitMillis = retryAfter.isPresent() ? retryAfter.getAsLong() * 1000 : backoffMillis;
                lastReason = retryAfter.isPresent() ? "503 Retry-After " + retryAfter.getAsLong() : "503 (no Retry-After)";
            } catch (HttpConnectTimeoutException e) {
                waitMillis = backoffMillis;
                lastReason = "timeout (no connection within 5 s)";
            } catch (HttpTimeoutException e) {
                waitMillis = backoffMillis;
                lastReason = "timeout (no answer within 60 s)";
            } catch (ConnectException e) {
                waitMillis = backoffMillis;
                lastReason = "connection refused";
            } catch (IOException e) {
                // A reset connection: the request may or may not have been spooled; resending is safe.
                waitMillis = backoffMillis;
                lastReason = "connection lost" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
            }
            if (System.nanoTime() + waitMillis * 1_000_000 > deadline) {
                throw new IOException("front-end " + endpoint + " did not accept the batch within " + giveUpAfter.toSeconds() + "s"
                        + " (last: " + lastReason + ")");
            }
            retries.retrying(++attempt, lastReason, Duration.ofMillis(waitMillis));
            Thread.sleep(waitMillis);
            backoffMillis = Math.min(backoffMillis * 2, 5000);
        }
    }

    /** The count of a 202 body; anything else is a front-end fault, not worth a retry. */
    private static int acceptedCount(String body) {
        JsonNode accepted;
        try {
            accepted = JSON.readTree(body).get("accepted");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            accepted = null;
        }
        if (accepted == null || !accepted.canConvertToInt()) {
            throw new IllegalStateException("front-end answered 202 without an accepted count: " + body);
        }
        return accepted.intValue();
    }
}
