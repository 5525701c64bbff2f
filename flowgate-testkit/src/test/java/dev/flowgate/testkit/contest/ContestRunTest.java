package dev.flowgate.testkit.contest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.testkit.load.Ticker;
import dev.flowgate.testkit.processor.ProcessorEmulator;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A whole run, shortened, against the fake backend and two emulators in this process. The
 * conditions are gentle on purpose (delays far below the 1.5 s timeout, failures answered at once):
 * the contest's own schedules, compressed to seconds, keep processors sleeping past the client's
 * timeout, and then even a correct backend has payments recorded that were never acknowledged.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ContestRunTest {

    private static final Scenario GENTLE = new Scenario("gentle", Duration.ofMillis(1500), 10,
            new BigDecimal("19.90"), new BigDecimal("0.05"), new BigDecimal("0.15"),
            List.of(new Phase(Duration.ZERO, Condition.HEALTHY, Condition.HEALTHY),
                    // Default failing: the backend pays these on the fallback.
                    new Phase(Duration.ofMillis(300), new Condition(0, true), Condition.HEALTHY),
                    new Phase(Duration.ofMillis(1000), new Condition(20, false), new Condition(0, true)),
                    new Phase(Duration.ofMillis(1250), Condition.HEALTHY, Condition.HEALTHY)),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofMillis(200),
            Duration.ofSeconds(60));

    @Test
    void aConsistentBackendWithoutQueueHasNoInconsistencyAndNoLag() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        List<ContestProgress> progress = new CopyOnWriteArrayList<>();
        try (ProcessorEmulator defaultEmulator = emulator("0.05");
                ProcessorEmulator fallbackEmulator = emulator("0.15");
                FakeBackend backend = new FakeBackend(defaultEmulator.baseUri(), fallbackEmulator.baseUri())) {
            ContestRun run = new ContestRun(GENTLE, new Backend(new LoopbackHttp(backend.uri(), Ticker.SYSTEM)),
                    processor("default", defaultEmulator), processor("fallback", fallbackEmulator),
                    Clock.systemUTC(), Ticker.SYSTEM, progress::add, warnings::add);

            ContestResult result = run.execute();

            assertThat(warnings).isEmpty();
            assertThat(result.checks()).isEqualTo(3);
            assertThat(result.failedChecks()).isZero();
            assertThat(result.inconsistencies()).isZero();
            assertThat(result.lag()).isZero();
            assertThat(result.disqualified()).isFalse();
            assertThat(result.acknowledged()).isPositive().isEqualTo(backend.paid().size());
            assertThat(result.requestsByStatus()).containsEntry("202", result.acknowledged())
                    .containsEntry("timeout", 0L).containsEntry("error", 0L);
            assertThat(result.defaultProcessor().totalRequests()).isEqualTo(backend.count("default"))
                    .isEqualTo(defaultEmulator.storedCount());
            assertThat(result.fallbackProcessor().totalRequests()).isEqualTo(backend.count("fallback"))
                    .isEqualTo(fallbackEmulator.storedCount()).isPositive();
            assertThat(result.backend()).isPresent();
            assertThat(result.backendDifference()).hasValue(0);
            assertThat(result.backendPurged()).isTrue();
            assertThat(result.paidOnBoth()).hasValue(0);
            assertThat(result.scheduleErrors()).isZero();
            assertThat(result.score().gross()).isEqualByComparingTo(
                    new BigDecimal("19.90").multiply(BigDecimal.valueOf(result.acknowledged())));
            assertThat(result.score().fine()).isEqualByComparingTo("0");
            assertThat(result.score().score()).isPositive();
            assertThat(result.score().scoreRatio()).isPositive().isLessThanOrEqualTo(BigDecimal.ONE);
            assertThat(result.latency().max()).isGreaterThanOrEqualTo(result.latency().p99());
            assertThat(progress).isNotEmpty();
            assertThat(backend.bodies()).allMatch(body -> body.endsWith(",\"amount\":19.9}"));
        }
    }

    private static ProcessorEmulator emulator(String fee) throws Exception {
        return ProcessorEmulator.start(ProcessorEmulator.Options.defaults().withFee(new BigDecimal(fee)));
    }

    private static EmulatedProcessor processor(String name, ProcessorEmulator emulator) {
        return new EmulatedProcessor(name, emulator, new LoopbackHttp(emulator.baseUri(), Ticker.SYSTEM), "123");
    }
}
