package dev.flowgate.testkit.contest;

import java.time.Duration;
import java.util.Objects;

/** From {@code at} (since the start of the run) on, the two processors behave like this. */
record Phase(Duration at, Condition defaultProcessor, Condition fallbackProcessor) {

    Phase {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(defaultProcessor, "defaultProcessor");
        Objects.requireNonNull(fallbackProcessor, "fallbackProcessor");
        if (at.isNegative()) {
            throw new IllegalArgumentException("a phase cannot start before the run: " + at);
        }
    }

    /** Shorthand for the schedules: seconds, then delay and failure of default, then of fallback. */
    static Phase at(long seconds, int defaultDelay, boolean defaultFailing, int fallbackDelay, boolean fallbackFailing) {
        return new Phase(Duration.ofSeconds(seconds),
                new Condition(defaultDelay, defaultFailing), new Condition(fallbackDelay, fallbackFailing));
    }
}
