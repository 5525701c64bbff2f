package dev.flowgate.processor;

import java.time.Duration;

/** What a processor's health endpoint said, or that it said nothing usable. */
public sealed interface HealthOutcome {
    /** {@code 200 {"failing": .., "minResponseTime": ..}}. */
    record Reported(boolean failing, Duration minResponseTime) implements HealthOutcome {
    }

    /** Slow, rate-limited (429), down or unreadable: not "healthy", just not known. */
    record Unknown(String reason) implements HealthOutcome {
    }
}
