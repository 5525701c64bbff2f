package dev.flowgate.work;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: attempt n waits between half and all of
 * {@code min(base * 2^(n-1), cap)}. The jitter spreads payments that failed together so they do not
 * return together.
 */
public record Backoff(Duration base, Duration cap) {
    public Backoff {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= cap: " + base + ", " + cap);
        }
    }

    /** The wait before retry number {@code attempt} (1 for the first retry). */
    public Duration delay(int attempt, RandomGenerator random) {
        long ceiling = Math.min(base.toMillis() << Math.min(Math.max(attempt - 1, 0), 20), cap.toMillis());
        return Duration.ofMillis(ceiling / 2 + random.nextLong(ceiling / 2 + 1));
    }
}
