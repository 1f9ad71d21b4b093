package io.archiver.lab.drill;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sees writes resume from the outside: polls every archive node's {@code /metrics} and notes the first
 * moment {@code archiver_records_archived_total} grows past what it was just after the kill. That
 * counter only moves after a batch committed, so its first growth is the first batch on the new
 * primary, independently of the writer's own stamp in archive.failovers.
 */
final class NodeMetrics implements AutoCloseable {

    static final String ARCHIVED = "archiver_records_archived_total";
    private static final Duration POLL = Duration.ofMillis(100);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final List<String> nodeUrls;
    private final Map<String, Long> baseline = new HashMap<>();
    private final AtomicReference<Instant> firstGrowth = new AtomicReference<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "drill-node-metrics");
        thread.setDaemon(true);
        return thread;
    });

    private NodeMetrics(List<String> nodeUrls) {
        this.nodeUrls = nodeUrls;
    }

    /** Takes each node's counter now as the baseline, then polls until closed or growth is seen. */
    static NodeMetrics watchFromNow(List<String> nodeUrls) {
        NodeMetrics metrics = new NodeMetrics(nodeUrls);
        for (String url : nodeUrls) {
            metrics.archived(url).ifPresent(count -> metrics.baseline.put(url, count));
        }
        metrics.poller.scheduleWithFixedDelay(metrics::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        return metrics;
    }

    /** When a node's archived counter first grew after the baseline; null until then. */
    Instant firstGrowth() {
        return firstGrowth.get();
    }

    private void poll() {
        if (firstGrowth.get() != null) {
            return;
        }
        for (String url : nodeUrls) {
            OptionalLong count = archived(url);
            if (count.isEmpty()) {
                continue;
            }
            Long before = baseline.putIfAbsent(url, count.getAsLong());
            if (before != null && count.getAsLong() > before) {
                firstGrowth.compareAndSet(null, Instant.now());
                poller.shutdown();
                return;
            }
        }
    }

    /** The node's counter (summed over its label sets); empty when the node does not answer. */
    OptionalLong archived(String nodeUrl) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(nodeUrl.replaceAll("/+$", "") + "/metrics"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? OptionalLong.of(sum(response.body(), ARCHIVED)) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
    }

    /** Sums every sample of {@code metric} in a Prometheus text exposition. */
    static long sum(String exposition, String metric) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(metric + " ") || line.startsWith(metric + "{")) {
                String value = line.substring(line.lastIndexOf(' ') + 1).strip();
                try {
                    total += Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    // not a sample line
                }
            }
        }
        return (long) total;
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
