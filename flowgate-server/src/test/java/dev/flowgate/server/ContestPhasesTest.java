package dev.flowgate.server;

import static dev.flowgate.server.SettlementTest.assertSummaryMatchesProcessors;
import static dev.flowgate.server.SettlementTest.awaitSettled;
import static dev.flowgate.server.SettlementTest.payConcurrently;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.routing.ProcessorStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The phases of the contest's final, compressed to seconds (fees 7 % and 10 %, health polled every
 * 250 ms): in each, where payments go, and that every one is settled once, by one processor, with
 * the summary agreeing with the processors.
 */
class ContestPhasesTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static ProcessorStatus status(Harness h, String processor) {
        return h.engine.status().processors().stream().filter(p -> p.name().equals(processor)).findFirst().orElseThrow();
    }

    private static void awaitHealth(Harness h, String processor, boolean failing, long minResponseMs) {
        Harness.await(PATIENCE, processor + " health polled", () -> {
            ProcessorStatus s = status(h, processor);
            return Boolean.valueOf(failing).equals(s.healthFailing()) && Long.valueOf(minResponseMs).equals(s.healthMinResponseMs());
        });
    }

    @Test
    void healthyProcessorsAllPaymentsGoToTheCheaperOne() throws Exception {
        try (Harness h = Harness.start(dir)) {
            List<UUID> ids = payConcurrently(h, 200, "20.05");
            awaitSettled(h, ids);
            assertThat(h.fallbackProcessor.storedCount()).isZero();
        }
    }

    @Test
    void aModeratelySlowCheaperProcessorKeepsThePayments() throws Exception {
        try (Harness h = Harness.start(dir)) {
            h.defaultProcessor.setDelay(Duration.ofMillis(500)); // 7 % + 0.5 s * 2 %/s = 8 % < 10 %
            awaitHealth(h, "default", false, 500);
            List<UUID> ids = payConcurrently(h, 50, "20.05");
            awaitSettled(h, ids);
            // Health older than two polls is ignored, so on a starved machine a few may go either way.
            assertThat(h.defaultProcessor.storedCount()).isGreaterThanOrEqualTo(45);
        }
    }

    @Test
    void aVerySlowCheaperProcessorIsLeftForTheOther() throws Exception {
        try (Harness h = Harness.start(dir)) {
            h.defaultProcessor.setDelay(Duration.ofMillis(2000)); // 7 % + 2 s * 2 %/s = 11 % > 10 %
            awaitHealth(h, "default", false, 2000);
            List<UUID> ids = payConcurrently(h, 50, "20.05");
            awaitSettled(h, ids);
            assertThat(h.fallbackProcessor.storedCount()).isGreaterThanOrEqualTo(45);
        }
    }

    @Test
    void aFailingCheaperProcessorIsLeftAsSoonAsItsHealthSaysSo() throws Exception {
        try (Harness h = Harness.start(dir)) {
            h.defaultProcessor.setFailing(true);
            awaitHealth(h, "default", true, 0);
            List<UUID> ids = payConcurrently(h, 50, "20.05");
            awaitSettled(h, ids);
            assertThat(h.defaultProcessor.paymentPostsReceived())
                    .as("only the breaker's probes reach a processor known to fail").isLessThan(10);
        }
    }

    @Test
    void whenBothFailPaymentsWaitAndDrainOnceOneRecovers() throws Exception {
        try (Harness h = Harness.start(dir)) {
            h.defaultProcessor.setFailing(true);
            h.fallbackProcessor.setFailing(true);
            awaitHealth(h, "default", true, 0);
            awaitHealth(h, "fallback", true, 0);
            List<UUID> ids = payConcurrently(h, 100, "20.05");
            Thread.sleep(500);
            assertThat(h.defaultProcessor.storedCount() + h.fallbackProcessor.storedCount()).isZero();
            long probes = h.defaultProcessor.paymentPostsReceived() + h.fallbackProcessor.paymentPostsReceived();
            assertThat(probes).as("while both fail, only breaker probes reach them, not every payment again and again")
                    .isLessThan(100);

            Instant recovered = Instant.now();
            h.fallbackProcessor.setFailing(false);
            awaitSettled(h, ids);
            System.out.printf("drained %d payments %d ms after recovery%n", ids.size(),
                    Duration.between(recovered, Instant.now()).toMillis());
        }
    }

    @Test
    void aRateLimitingProcessorIsRespectedAndNothingIsLostOrDoubled() throws Exception {
        try (Harness h = Harness.withDefaultEmulator(dir, o -> o.withConcurrency(4, 0))) {
            h.defaultProcessor.setDelay(Duration.ofMillis(200));
            List<UUID> ids = payConcurrently(h, 150, "20.05");
            awaitSettled(h, ids);
            assertThat(h.fallbackProcessor.storedCount()).as("payments refused with 429 went to the other processor")
                    .isPositive();
        }
    }

    @Test
    void theSummaryAgreesWithTheProcessorsOverTheContestsCheckWindow() throws Exception {
        try (Harness h = Harness.start(dir)) {
            h.defaultProcessor.setFailing(true);
            List<UUID> ids = payConcurrently(h, 100, "20.05");
            h.defaultProcessor.setFailing(false);
            ids = new java.util.ArrayList<>(ids);
            ids.addAll(payConcurrently(h, 100, "20.05"));
            awaitSettled(h, ids);
            Instant now = Instant.now();
            assertSummaryMatchesProcessors(h, now.minusSeconds(15).toString(), now.minusMillis(2).toString());
        }
    }
}
