package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} in the Prometheus text format, fed by the engine's events and levels. */
class MetricsTest {
    @TempDir
    Path dir;

    private static String payment(UUID id, String amount) {
        return "{\"correlationId\":\"" + id + "\",\"amount\":" + amount + "}";
    }

    @Test
    void intakeAndProcessorCallsAreCountedByResultAndOutcome() throws Exception {
        try (Harness h = Harness.start(dir)) {
            UUID id = UUID.randomUUID();
            assertThat(h.post("/payments", "application/json", payment(id, "19.90")).statusCode()).isEqualTo(202);
            assertThat(h.post("/payments", "application/json", payment(id, "19.90")).statusCode()).isEqualTo(202);
            assertThat(h.post("/payments", "application/json", payment(id, "5.00")).statusCode()).isEqualTo(409);
            Harness.await(Duration.ofSeconds(20), "the payment settled",
                    () -> h.get("/payments/" + id).body().contains("\"processed\""));

            HttpResponse<String> metrics = h.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(metrics.body())
                    .contains("flowgate_intake_seconds_count{result=\"accepted\"} 1")
                    .contains("flowgate_intake_seconds_count{result=\"duplicate\"} 1")
                    .contains("flowgate_intake_seconds_count{result=\"conflict\"} 1")
                    .contains("flowgate_processor_calls_seconds_count{outcome=\"processed\",processor=\"default\"} 1");
        }
    }

    @Test
    void levelsAreReadWhenScraped() throws Exception {
        try (Harness h = Harness.start(dir)) {
            String body = h.get("/metrics").body();
            assertThat(body)
                    .contains("flowgate_settlement_queued 0")
                    .contains("flowgate_processor_breaker{processor=\"default\",state=\"closed\"} 1")
                    .contains("flowgate_processor_breaker{processor=\"default\",state=\"open\"} 0")
                    .contains("flowgate_processor_in_flight_limit{processor=\"fallback\"}");
        }
    }

    @Test
    void onlyGetIsAllowed() throws Exception {
        try (Harness h = Harness.start(dir)) {
            assertThat(h.post("/metrics", "text/plain", "x").statusCode()).isEqualTo(405);
        }
    }
}
