package dev.flowgate.routing;

import java.time.Duration;

/**
 * The router's knobs.
 *
 * @param latencyCostPerSecond what one second of a processor's latency costs, as a fraction of the
 *                             amount: the router picks the processor with the lowest
 *                             {@code fee + latencyCostPerSecond * expected latency}. At 0.02, a
 *                             processor 3 points of fee cheaper stays preferred until it is 1.5 s
 *                             slower than the other.
 * @param maxInFlight          calls in flight to one processor at most; the actual limit adapts below
 *                             it as the processor slows down (see AdaptiveLimit)
 * @param openDuration         how long an open breaker refuses calls before letting probes through
 * @param slowCall             a call slower than this counts against the breaker's slow-call rate
 * @param healthInterval       time between health polls; health older than two intervals is ignored
 */
public record RoutingPolicy(double latencyCostPerSecond, int maxInFlight, Duration openDuration, Duration slowCall,
                            Duration healthInterval) {
    public RoutingPolicy {
        if (!(latencyCostPerSecond >= 0) || maxInFlight < 1 || openDuration.isNegative() || slowCall.isNegative()
                || healthInterval.isNegative() || healthInterval.isZero()) {
            throw new IllegalArgumentException("invalid routing policy: " + latencyCostPerSecond + ", " + maxInFlight
                    + ", " + openDuration + ", " + slowCall + ", " + healthInterval);
        }
    }

    public static RoutingPolicy defaults() {
        return new RoutingPolicy(0.02, 768, Duration.ofMillis(500), Duration.ofSeconds(3), HealthPoller.CONTEST_INTERVAL);
    }
}
