package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.ProcessorConfig;
import dev.flowgate.ledger.Totals;
import dev.flowgate.testkit.processor.ProcessorEmulator;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Payments through the real HTTP API to processor emulators on loopback: settled once, counted right. */
class SettlementTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void theSummaryAgreesWithTheProcessorsAfterProcessing() throws Exception {
        try (Harness h = Harness.start(dir)) {
            List<UUID> ids = payConcurrently(h, 300, "20.05");
            awaitSettled(h, ids);
            String from = h.defaultProcessor.payments().getFirst().requestedAt().minusSeconds(1).toString();
            String to = h.defaultProcessor.payments().getFirst().requestedAt().plusSeconds(60).toString();
            assertSummaryMatchesProcessors(h, from, to);
            assertThat(h.fallbackProcessor.storedCount()).as("the cheaper processor was healthy").isZero();
        }
    }

    @Test
    void aFailingDefaultSendsPaymentsToFallbackAndLosesNone() throws Exception {
        try (Harness h = Harness.start(dir)) {
            h.defaultProcessor.setFailing(true);
            List<UUID> ids = payConcurrently(h, 50, "10.00");
            Harness.await(PATIENCE, "all settled on fallback", () -> h.fallbackProcessor.storedCount() == ids.size());
            assertThat(h.defaultProcessor.storedCount()).isZero();
            Harness.await(PATIENCE, "ledger caught up", () -> h.engine.summary(null, null).get("fallback").count() == 50);
            assertSummaryMatchesProcessors(h, null, null);
        }
    }

    @Test
    void whenBothProcessorsFailPaymentsWaitThenSettleOnceAfterRecovery() throws Exception {
        try (Harness h = Harness.start(dir)) {
            h.defaultProcessor.setFailing(true);
            h.fallbackProcessor.setFailing(true);
            List<UUID> ids = payConcurrently(h, 40, "1.00");
            Harness.await(PATIENCE, "some failed attempts", () -> h.defaultProcessor.paymentPostsReceived() >= 40);
            assertThat(h.engine.summary(null, null).values()).allMatch(t -> t.count() == 0);
            // A post the processor received may not have its answer recorded yet: wait for one that has.
            Harness.await(PATIENCE, "a refusal recorded as a payment's lastError", () -> ids.stream()
                    .anyMatch(id -> h.get("/payments/" + id).body().contains("answered 500")));
            List<String> states = ids.stream().map(id -> h.get("/payments/" + id).body()).toList();
            assertThat(states).allMatch(s -> s.contains("\"status\":\"queued\"") || s.contains("\"status\":\"in_flight\""));

            h.defaultProcessor.setFailing(false);
            awaitSettled(h, ids);
        }
    }

    @Test
    void aTimedOutPaymentIsReconciledOnTheSameProcessorAndNeverPaidTwice() throws Exception {
        // Every payment reaches default within the 400 ms before the first timeout opens its breaker
        // (after which new payments may go to fallback); then each times out and is pinned there.
        try (Harness h = Harness.start(dir, c -> c.processorTimeout(Duration.ofMillis(400)))) {
            h.defaultProcessor.setDelay(Duration.ofMillis(1000));
            List<UUID> ids = payConcurrently(h, 20, "5.55");
            Harness.await(PATIENCE, "all settled on default", () -> h.defaultProcessor.storedCount() == ids.size());
            Harness.await(PATIENCE, "ledger caught up", () -> h.engine.summary(null, null).get("default").count() == 20);
            assertThat(h.fallbackProcessor.storedCount()).as("a pinned payment never moves").isZero();
            assertThat(h.fallbackProcessor.paymentPostsReceived()).isZero();
            assertSummaryMatchesProcessors(h, null, null);
            for (UUID id : ids) {
                assertThat(h.engine.find(id).orElseThrow().requestedAt())
                        .as("the ledger holds the requestedAt the processor stored")
                        .isEqualTo(h.defaultProcessor.find(id).orElseThrow().requestedAt());
            }
        }
    }

    @Test
    void anUnreachableProcessorIsSkipped() throws Exception {
        URI dead;
        try (ServerSocket closed = new ServerSocket(0)) {
            dead = URI.create("http://127.0.0.1:" + closed.getLocalPort());
        }
        URI deadUri = dead;
        try (Harness h = Harness.start(dir, c -> c.processors(List.of(
                new ProcessorConfig("default", deadUri, new BigDecimal("0.05")),
                c.build().processors().get(1))))) {
            List<UUID> ids = payConcurrently(h, 20, "3.00");
            Harness.await(PATIENCE, "all settled on fallback", () -> h.fallbackProcessor.storedCount() == ids.size());
        }
    }

    static List<UUID> payConcurrently(Harness h, int count, String amount) throws Exception {
        List<UUID> ids = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var results = new ArrayList<java.util.concurrent.Future<Integer>>();
            for (int i = 0; i < count; i++) {
                UUID id = UUID.randomUUID();
                ids.add(id);
                results.add(pool.submit(() -> h.pay(id, amount).statusCode()));
            }
            for (var result : results) {
                assertThat(result.get()).isEqualTo(202);
            }
        }
        return ids;
    }

    /** Waits until every payment is at a processor and in our ledger (lag 0), then checks both agree. */
    static void awaitSettled(Harness h, List<UUID> ids) {
        Harness.await(PATIENCE, "every payment settled", () -> ids.stream()
                .allMatch(id -> h.defaultProcessor.find(id).isPresent() || h.fallbackProcessor.find(id).isPresent()));
        Harness.await(PATIENCE, "the ledger caught up (lag 0)", () -> h.engine.summary(null, null).values().stream()
                .mapToLong(t -> t.count()).sum() == h.defaultProcessor.storedCount() + h.fallbackProcessor.storedCount());
        assertEachSettledExactlyOnce(h, ids);
        assertSummaryMatchesProcessors(h, null, null);
    }

    static void assertEachSettledExactlyOnce(Harness h, List<UUID> ids) {
        for (UUID id : ids) {
            boolean onDefault = h.defaultProcessor.find(id).isPresent();
            boolean onFallback = h.fallbackProcessor.find(id).isPresent();
            assertThat(onDefault ^ onFallback).as("payment %s settled by exactly one processor", id).isTrue();
        }
    }

    /** Our ledger, over HTTP, against both emulators' admin summaries for the same window. */
    static void assertSummaryMatchesProcessors(Harness h, String from, String to) {
        String query = from == null ? "" : "?from=" + from + "&to=" + to;
        String body = h.get("/payments-summary" + query).body();
        java.time.Instant f = from == null ? null : java.time.Instant.parse(from);
        java.time.Instant t = to == null ? null : java.time.Instant.parse(to);
        Map<String, ProcessorEmulator> processors = Map.of("default", h.defaultProcessor, "fallback", h.fallbackProcessor);
        processors.forEach((name, emulator) -> {
            ProcessorEmulator.Summary expected = emulator.summary(f, t);
            assertThat(body).contains("\"" + name + "\":{\"totalRequests\":" + expected.totalRequests()
                    + ",\"totalAmount\":" + expected.totalAmount().setScale(2).toPlainString() + "}");
            Totals ours = h.engine.summary(f, t).get(name);
            assertThat(ours.count()).isEqualTo(expected.totalRequests());
        });
    }
}
