package dev.flowgate.routing;

/**
 * What the router currently believes about one processor, for {@code GET /health}.
 *
 * @param breaker           closed, open, half_open, ...
 * @param inFlight          calls in flight now
 * @param inFlightLimit     how many may be, as adapted to the processor's latency
 * @param expectedLatencyMs the latency the router expects of the next call
 * @param healthFailing     the processor's own failure flag as last polled, or null if never
 * @param healthMinResponseMs the delay the processor reported, or null if never
 * @param lastOutcome       the class of the last call's outcome, or null
 */
public record ProcessorStatus(String name, String breaker, int inFlight, int inFlightLimit, long expectedLatencyMs,
                              Boolean healthFailing, Long healthMinResponseMs, String lastOutcome) {
}
