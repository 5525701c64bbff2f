package dev.flowgate.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdaptiveLimitTest {
    @Test
    void startsAtItsMaximumAndRefusesBeyondIt() {
        AdaptiveLimit limit = new AdaptiveLimit(10);
        for (int i = 0; i < 10; i++) {
            assertThat(limit.tryAcquire()).isTrue();
        }
        assertThat(limit.tryAcquire()).isFalse();
        limit.release();
        assertThat(limit.tryAcquire()).isTrue();
    }

    @Test
    void slowCallsShrinkItDownToItsFloor() {
        AdaptiveLimit limit = new AdaptiveLimit(100);
        for (int i = 0; i < 200; i++) {
            limit.tryAcquire();
            limit.releaseSlow();
        }
        assertThat(limit.limit()).isEqualTo(AdaptiveLimit.MIN);
    }

    @Test
    void fastCallsGrowItBackToItsMaximum() {
        AdaptiveLimit limit = new AdaptiveLimit(20);
        for (int i = 0; i < 50; i++) {
            limit.tryAcquire();
            limit.releaseSlow();
        }
        for (int i = 0; i < 1000; i++) {
            limit.tryAcquire();
            limit.releaseFast();
        }
        assertThat(limit.limit()).isEqualTo(20);
        assertThat(limit.inFlight()).isZero();
    }
}
