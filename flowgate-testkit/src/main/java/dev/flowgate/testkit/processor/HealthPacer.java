package dev.flowgate.testkit.processor;

import java.time.Duration;
import java.time.Instant;

/**
 * The processor's rate limit on {@code GET /payments/service-health}: fixed windows of one call
 * each, shared by all callers, aligned to the emulator's start, with a queue of a few calls that
 * are served one per following window, in arrival order. The contest's processor uses a
 * fixed-window limiter of 1 call per 5 s with a queue of 2, so a client polling faster than that
 * sees answers 5-10 s late, then 429s.
 *
 * <p>Time is a parameter and nothing here sleeps, so every decision is testable without waiting;
 * the caller does the waiting for {@link Decision.ServeAt}. Thread-safe.
 */
final class HealthPacer {
    private final Instant origin;
    private final long windowNanos;
    private final int queueLimit;
    /** The first window nobody has claimed yet; every window before it is served or promised. */
    private long nextFreeWindow; // guarded by this

    HealthPacer(Instant origin, Duration window, int queueLimit) {
        if (window.isNegative() || window.isZero() || queueLimit < 0) {
            throw new IllegalArgumentException("need a positive window and a queue >= 0: " + window + ", " + queueLimit);
        }
        this.origin = origin;
        this.windowNanos = window.toNanos();
        this.queueLimit = queueLimit;
    }

    /** Claims a window for a call arriving at {@code now}, or refuses it when the queue is full. */
    synchronized Decision decide(Instant now) {
        long current = Math.floorDiv(Duration.between(origin, now).toNanos(), windowNanos);
        if (nextFreeWindow <= current) {
            nextFreeWindow = current + 1;
            return new Decision.ServeNow();
        }
        // Windows claimed after the current one are the queue: each holds one waiting call.
        long queued = nextFreeWindow - current - 1;
        if (queued >= queueLimit) {
            return new Decision.Reject();
        }
        Instant at = origin.plusNanos(Math.multiplyExact(nextFreeWindow, windowNanos));
        nextFreeWindow++;
        return new Decision.ServeAt(at);
    }

    /** What to do with one health call. */
    sealed interface Decision {
        /** The current window was free: answer at once. */
        record ServeNow() implements Decision {
        }

        /** Queued: answer when the window starting at {@code at} opens. */
        record ServeAt(Instant at) implements Decision {
        }

        /** The window is used and the queue is full: answer 429. */
        record Reject() implements Decision {
        }
    }
}
