package dev.flowgate.testkit.contest;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConsistencyCheckTest {

    private static final CheckWindow WINDOW =
            new CheckWindow(Instant.parse("2025-07-15T12:00:45Z"), Instant.parse("2025-07-15T12:00:58Z"));

    @Test
    void agreeingCountsAreConsistent() {
        assertThat(check(backend(7, 3), 7, 3).inconsistencies()).isZero();
    }

    @Test
    void differencesOnEachProcessorAddUpWithoutCancellingOut() {
        // Two payments the backend books on default that the processors hold on fallback are 4
        // inconsistencies, not 0: the differences are taken per processor.
        assertThat(check(backend(5, 0), 3, 2).inconsistencies()).isEqualTo(4);
        assertThat(check(backend(2, 9), 3, 2).inconsistencies()).isEqualTo(8);
    }

    @Test
    void aFailedBackendSummaryCountsAsZeros() {
        ConsistencyCheck failed = new ConsistencyCheck(Duration.ofSeconds(10), WINDOW, BackendSummary.ZERO, false, 40, 2);

        assertThat(failed.inconsistencies()).isEqualTo(42);
    }

    private static ConsistencyCheck check(BackendSummary backend, long defaultRecorded, long fallbackRecorded) {
        return new ConsistencyCheck(Duration.ofSeconds(10), WINDOW, backend, true, defaultRecorded, fallbackRecorded);
    }

    private static BackendSummary backend(long defaultCount, long fallbackCount) {
        return new BackendSummary(new BackendSummary.Totals(defaultCount, BigDecimal.valueOf(defaultCount)),
                new BackendSummary.Totals(fallbackCount, BigDecimal.valueOf(fallbackCount)));
    }
}
