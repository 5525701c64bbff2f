package dev.flowgate.server.cli;

import dev.flowgate.http.client.HttpClient;
import dev.flowgate.http.client.HttpRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends the server requests of every kind over loopback for a moment after it starts, so the JIT
 * has compiled the request path before the first real client arrives.
 *
 * <p>Why: even a server that does nothing spends its first minute at about 3 ms p99 while the JIT
 * works (shared/reference/latency-floor.md). The warm-up touches no data: payments it sends are
 * invalid (answered 400 after the full parse), and the summary and health reads only read.
 */
final class Warmup {
    private static final int CONNECTIONS = 4;

    private Warmup() {
    }

    /** Runs for {@code duration}; failures end the warm-up early and are otherwise ignored. */
    static long run(int port, Duration duration) throws InterruptedException {
        URI base = URI.create("http://127.0.0.1:" + port);
        List<HttpRequest> requests = List.of(
                payment(base, "{\"correlationId\":\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\",\"amount\":0}"),
                payment(base, "{\"correlationId\":\"not-a-uuid\",\"amount\":19.90}"),
                HttpRequest.get(base.resolve("/payments-summary?from=2000-01-01T00:00:00.000Z&to=2000-01-01T00:00:01.000Z")),
                HttpRequest.get(base.resolve("/payments-summary")),
                HttpRequest.get(base.resolve("/health")));
        long deadline = System.nanoTime() + duration.toNanos();
        long[] counts = new long[CONNECTIONS];
        List<Thread> threads = new ArrayList<>();
        try (HttpClient http = HttpClient.builder().requestTimeout(Duration.ofSeconds(5)).build()) {
            for (int i = 0; i < CONNECTIONS; i++) {
                int slot = i;
                threads.add(Thread.ofVirtual().start(() -> counts[slot] = drive(http, requests, deadline, slot)));
            }
            long total = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                threads.get(i).join();
                total += counts[i];
            }
            return total;
        }
    }

    private static HttpRequest payment(URI base, String json) {
        return HttpRequest.post(base.resolve("/payments"), "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static long drive(HttpClient http, List<HttpRequest> requests, long deadline, int offset) {
        long sent = 0;
        try {
            while (System.nanoTime() < deadline) {
                http.send(requests.get((int) ((sent + offset) % requests.size())));
                sent++;
            }
        } catch (IOException e) {
            // A warm-up that cannot talk to its own server just ends; the server itself is fine.
        }
        return sent;
    }
}
