package dev.flowgate.routing;

import java.time.Instant;

/**
 * What the router currently believes about one processor, for {@code GET /health}.
 *
 * @param availableAt         the router does not send to it before this instant
 * @param consecutiveFailures failures since its last success
 * @param lastOutcome         the class of the last outcome seen, e.g. "Processed", or null
 */
public record ProcessorStatus(String name, Instant availableAt, int consecutiveFailures, String lastOutcome) {
}
