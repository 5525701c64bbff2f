package dev.flowgate.testkit.load;

import java.time.Duration;

/**
 * A snapshot of a running load test, handed to the progress listener about once a second.
 *
 * @param elapsed since the run started
 * @param requests requests finished so far, warmup included, whatever their outcome
 * @param ratePerSecond requests finished per second since the previous snapshot
 * @param warmingUp whether requests starting now would not be recorded
 */
public record LoadProgress(Duration elapsed, long requests, double ratePerSecond, boolean warmingUp) {
}
