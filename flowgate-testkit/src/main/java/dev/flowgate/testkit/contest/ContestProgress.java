package dev.flowgate.testkit.contest;

import java.time.Duration;
import java.util.OptionalDouble;

/**
 * A look at a run in progress.
 *
 * @param activeVus              users the ramp has started by now
 * @param requests               payments finished so far, whatever their outcome
 * @param acknowledgedPerSecond  acknowledged payments per second since the previous report
 * @param p99Millis              p99 of the payments acknowledged since the previous report; empty if none
 * @param inconsistencies        found by the checks so far
 */
record ContestProgress(Duration elapsed, int activeVus, long requests, long acknowledged,
        double acknowledgedPerSecond, OptionalDouble p99Millis, long inconsistencies) {
}
