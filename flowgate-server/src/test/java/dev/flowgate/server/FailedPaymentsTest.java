package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.flowgate.ProcessorConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one way a payment fails (its processor contradicts itself: 422 "I have it", yet no lookup
 * finds it), how failed payments are listed, and how an operator sends one again.
 */
class FailedPaymentsTest {
    @TempDir
    Path dir;
    /** Answers 422 to every payment and 404 to every lookup, until told to store payments. */
    private HttpServer contradicting;
    private final Set<String> stored = ConcurrentHashMap.newKeySet();
    private volatile boolean storing;

    @BeforeEach
    void startProcessor() throws IOException {
        contradicting = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        contradicting.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status;
            if (exchange.getRequestMethod().equals("POST")) {
                String id = new String(body).replaceAll(".*\"correlationId\":\"([^\"]+)\".*", "$1");
                status = storing && stored.add(id) ? 200 : 422;
            } else {
                status = path.endsWith("service-health") ? 429 : 404;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        contradicting.start();
    }

    @AfterEach
    void stopProcessor() {
        contradicting.stop(0);
    }

    private Harness harness() throws IOException {
        URI uri = URI.create("http://127.0.0.1:" + contradicting.getAddress().getPort());
        return Harness.start(dir, c -> c.processors(List.of(new ProcessorConfig("default", uri, new BigDecimal("0.05")))));
    }

    @Test
    void aPaymentThatItsProcessorContradictsFailsWithItsReasonAndIsListed() throws Exception {
        try (Harness h = harness()) {
            UUID id = UUID.randomUUID();
            assertThat(h.pay(id, "10.00").statusCode()).isEqualTo(202);
            Harness.await(Duration.ofSeconds(20), "the payment failed", () -> h.get("/payments/" + id).body().contains("\"failed\""));
            assertThat(h.get("/payments/" + id).body()).contains("answered 422").contains("found nothing");

            String page = h.get("/payments?status=failed").body();
            assertThat(page).contains(id.toString()).contains("\"next\":null");
        }
    }

    @Test
    void failedPaymentsArePagedWithALinkToTheNextPage() throws Exception {
        try (Harness h = harness()) {
            for (int i = 0; i < 3; i++) {
                h.pay(UUID.randomUUID(), "1.00");
            }
            Harness.await(Duration.ofSeconds(20), "three failed",
                    () -> h.engine.list(dev.flowgate.payment.PaymentState.FAILED, null, 10).size() == 3);
            String first = h.get("/payments?status=failed&limit=2").body();
            String next = first.replaceAll(".*\"next\":\"([^\"]+)\".*", "$1");
            assertThat(next).startsWith("/payments?status=failed&limit=2&after=");
            String second = h.get(next).body();
            assertThat(second).contains("\"next\":null");
            assertThat(second.split("\"correlationId\"")).hasSize(2); // one payment left
        }
    }

    @Test
    void aRetriedPaymentIsSentAgainAndSettlesOnceTheProcessorIsFixed() throws Exception {
        try (Harness h = harness()) {
            UUID id = UUID.randomUUID();
            h.pay(id, "10.00");
            Harness.await(Duration.ofSeconds(20), "the payment failed", () -> h.get("/payments/" + id).body().contains("\"failed\""));
            storing = true;
            var retried = h.post("/payments/" + id + "/retry", null, "");
            assertThat(retried.statusCode()).isEqualTo(202);
            assertThat(retried.body()).contains("\"queued\"").contains("queued again by an operator");
            Harness.await(Duration.ofSeconds(20), "settled", () -> h.get("/payments/" + id).body().contains("\"processed\""));
            assertThat(stored).containsExactly(id.toString());
            assertThat(h.post("/payments/" + id + "/retry", null, "").statusCode()).as("not failed any more").isEqualTo(409);
        }
    }

    @Test
    void retryAndListingRefuseBadInputClearly() throws Exception {
        try (Harness h = harness()) {
            assertThat(h.post("/payments/" + UUID.randomUUID() + "/retry", null, "").statusCode()).isEqualTo(404);
            assertThat(h.post("/payments/not-a-uuid/retry", null, "").statusCode()).isEqualTo(400);
            assertThat(h.post("/payments/retry", null, "").statusCode()).as("no id at all").isIn(400, 405);
            assertThat(h.post("/payments//retry", null, "").statusCode()).isEqualTo(400);
            assertThat(h.get("/payments/" + UUID.randomUUID() + "/retry").statusCode()).isEqualTo(405);
            for (String query : List.of("", "?status=lost", "?status=failed&limit=0", "?status=failed&limit=99999",
                    "?status=failed&limit=x", "?status=failed&after=xyz", "?status=failed&after=%25zz", "?status=%E2%91%A0")) {
                var answer = h.get("/payments" + query);
                assertThat(answer.statusCode()).as(query).isEqualTo(400);
                assertThat(answer.headers().firstValue("content-type")).hasValue("application/problem+json");
            }
            assertThat(h.send(java.net.http.HttpRequest.newBuilder(h.uri("/payments"))
                    .DELETE().build()).statusCode()).isEqualTo(405);
        }
    }
}
