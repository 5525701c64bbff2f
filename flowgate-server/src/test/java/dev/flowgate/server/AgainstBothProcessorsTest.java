package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.ProcessorConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settlement's main paths through the real HTTP API, once against the testkit's emulator and once
 * against the reference processor: the same specification must hold for both.
 */
class AgainstBothProcessorsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private TestProcessor defaultProcessor;
    private TestProcessor fallbackProcessor;

    @AfterEach
    void stop() {
        if (defaultProcessor != null) {
            defaultProcessor.close();
        }
        if (fallbackProcessor != null) {
            fallbackProcessor.close();
        }
    }

    private Harness start(TestProcessor.Kind kind, UnaryOperator<dev.flowgate.FlowgateConfig.Builder> tune)
            throws Exception {
        defaultProcessor = kind.start(new BigDecimal("0.05"));
        fallbackProcessor = kind.start(new BigDecimal("0.15"));
        return Harness.start(dir, c -> tune.apply(c.processors(List.of(
                new ProcessorConfig("default", defaultProcessor.baseUri(), new BigDecimal("0.05")),
                new ProcessorConfig("fallback", fallbackProcessor.baseUri(), new BigDecimal("0.15"))))));
    }

    private void awaitSettledOnceEach(Harness h, List<UUID> ids) {
        Harness.await(PATIENCE, "every payment at a processor",
                () -> ids.stream().allMatch(id -> defaultProcessor.holds(id) || fallbackProcessor.holds(id)));
        Harness.await(PATIENCE, "the ledger caught up", () -> h.engine.summary(null, null).values().stream()
                .mapToLong(t -> t.count()).sum() == defaultProcessor.storedCount() + fallbackProcessor.storedCount());
        for (UUID id : ids) {
            assertThat(defaultProcessor.holds(id) ^ fallbackProcessor.holds(id)).as("%s on exactly one", id).isTrue();
        }
        assertThat(h.engine.summary(null, null).get("default").count()).isEqualTo(defaultProcessor.storedCount());
        assertThat(h.engine.summary(null, null).get("fallback").count()).isEqualTo(fallbackProcessor.storedCount());
    }

    @ParameterizedTest
    @EnumSource(TestProcessor.Kind.class)
    void healthyProcessorsSettleEveryPaymentOnTheCheaperOne(TestProcessor.Kind kind) throws Exception {
        try (Harness h = start(kind, UnaryOperator.identity())) {
            List<UUID> ids = SettlementTest.payConcurrently(h, 200, "20.05");
            awaitSettledOnceEach(h, ids);
            assertThat(fallbackProcessor.storedCount()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestProcessor.Kind.class)
    void aFailingDefaultSendsPaymentsToFallback(TestProcessor.Kind kind) throws Exception {
        try (Harness h = start(kind, UnaryOperator.identity())) {
            defaultProcessor.setFailing(true);
            List<UUID> ids = SettlementTest.payConcurrently(h, 100, "10.00");
            awaitSettledOnceEach(h, ids);
            assertThat(defaultProcessor.storedCount()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestProcessor.Kind.class)
    void whenBothFailPaymentsWaitSayingWhyAndSettleAfterRecovery(TestProcessor.Kind kind) throws Exception {
        try (Harness h = start(kind, UnaryOperator.identity())) {
            defaultProcessor.setFailing(true);
            fallbackProcessor.setFailing(true);
            List<UUID> ids = SettlementTest.payConcurrently(h, 50, "1.00");
            Harness.await(PATIENCE, "a reason to wait", () -> h.get("/payments/" + ids.getFirst()).body().contains("answered 500"));
            fallbackProcessor.setFailing(false);
            awaitSettledOnceEach(h, ids);
        }
    }

    @ParameterizedTest
    @EnumSource(TestProcessor.Kind.class)
    void timedOutPaymentsAreReconciledWhereTheyWentAndPaidOnce(TestProcessor.Kind kind) throws Exception {
        // The processor keeps a payment the client gave up on: reconciliation reads it back
        // (the reference answers requestedAt without an offset) instead of paying it elsewhere.
        try (Harness h = start(kind, c -> c.processorTimeout(Duration.ofMillis(300)))) {
            defaultProcessor.setDelay(Duration.ofMillis(800));
            List<UUID> ids = SettlementTest.payConcurrently(h, 30, "5.00");
            Harness.await(PATIENCE, "attempts timed out and stored", () -> defaultProcessor.storedCount() >= 1);
            defaultProcessor.setDelay(Duration.ZERO);
            awaitSettledOnceEach(h, ids);
            assertThat(h.engine.summary(null, null).get("default").count()).isPositive();
        }
    }
}
