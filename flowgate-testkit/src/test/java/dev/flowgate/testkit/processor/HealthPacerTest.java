package dev.flowgate.testkit.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.testkit.processor.HealthPacer.Decision;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HealthPacerTest {
    private static final Instant ORIGIN = Instant.parse("2025-07-15T12:00:00Z");
    private static final Duration WINDOW = Duration.ofSeconds(5);

    private final HealthPacer pacer = new HealthPacer(ORIGIN, WINDOW, 2);

    @Test
    void firstCallInAWindowIsServedAtOnce() {
        assertThat(pacer.decide(ORIGIN.plusMillis(1200))).isEqualTo(new Decision.ServeNow());
    }

    @Test
    void secondAndThirdCallsInAUsedWindowWaitForTheNextWindowsInOrder() {
        Instant now = ORIGIN.plusMillis(1200);
        pacer.decide(now);

        assertThat(pacer.decide(now)).isEqualTo(new Decision.ServeAt(ORIGIN.plus(WINDOW)));
        assertThat(pacer.decide(now.plusMillis(10))).isEqualTo(new Decision.ServeAt(ORIGIN.plus(WINDOW.multipliedBy(2))));
    }

    @Test
    void callsBeyondTheQueueAreRejected() {
        Instant now = ORIGIN.plusMillis(1200);
        pacer.decide(now);
        pacer.decide(now);
        pacer.decide(now);

        assertThat(pacer.decide(now)).isEqualTo(new Decision.Reject());
        assertThat(pacer.decide(now.plusMillis(3000))).isEqualTo(new Decision.Reject());
    }

    @Test
    void theQueueDrainsOneCallPerWindow() {
        Instant now = ORIGIN.plusMillis(1200);
        pacer.decide(now);
        pacer.decide(now); // served at 5 s
        pacer.decide(now); // served at 10 s

        // At 5.1 s the 5 s window went to a queued call; one place in the queue has freed up.
        Instant later = ORIGIN.plusMillis(5100);
        assertThat(pacer.decide(later)).isEqualTo(new Decision.ServeAt(ORIGIN.plus(WINDOW.multipliedBy(3))));
        assertThat(pacer.decide(later)).isEqualTo(new Decision.Reject());
    }

    @Test
    void windowsAreAlignedToTheOriginNotToTheFirstCall() {
        assertThat(pacer.decide(ORIGIN.plusMillis(4900))).isEqualTo(new Decision.ServeNow());
        // Only 100 ms later, but a new window has started.
        assertThat(pacer.decide(ORIGIN.plusMillis(5000))).isEqualTo(new Decision.ServeNow());
    }

    @Test
    void idleWindowsDoNotAccumulateCredit() {
        Instant now = ORIGIN.plusSeconds(102);

        assertThat(pacer.decide(now)).isEqualTo(new Decision.ServeNow());
        assertThat(pacer.decide(now)).isEqualTo(new Decision.ServeAt(ORIGIN.plusSeconds(105)));
    }

    @Test
    void withoutAQueueEveryCallButTheFirstInAWindowIsRejected() {
        HealthPacer unqueued = new HealthPacer(ORIGIN, WINDOW, 0);

        assertThat(unqueued.decide(ORIGIN)).isEqualTo(new Decision.ServeNow());
        assertThat(unqueued.decide(ORIGIN.plusMillis(4999))).isEqualTo(new Decision.Reject());
        assertThat(unqueued.decide(ORIGIN.plusMillis(5000))).isEqualTo(new Decision.ServeNow());
    }

    @Test
    void aNonPositiveWindowIsRefused() {
        assertThatThrownBy(() -> new HealthPacer(ORIGIN, Duration.ZERO, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
