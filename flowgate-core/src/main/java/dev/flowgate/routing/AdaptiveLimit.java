package dev.flowgate.routing;

/**
 * How many calls may be in flight to one processor: additive increase, multiplicative decrease on
 * its latency. Each call that answers within the slow-call threshold raises the limit by
 * {@code 1/limit} (about one per round of calls); each slow or failed call cuts it by 10 %. A
 * processor that turns slow therefore holds fewer and fewer workers instead of all of them, and
 * one that is fast grows back to {@code max}. Thread-safe; every method is O(1).
 */
final class AdaptiveLimit {
    static final int MIN = 8;
    private static final double DECREASE = 0.9;

    private final int max;
    private double limit;
    private int inFlight;

    AdaptiveLimit(int max) {
        this.max = Math.max(max, MIN);
        this.limit = this.max;
    }

    /** Takes a place if one is free under the current limit. */
    synchronized boolean tryAcquire() {
        if (inFlight >= (int) limit) {
            return false;
        }
        inFlight++;
        return true;
    }

    /** Gives the place back without judging the call (a lookup, a 429). */
    synchronized void release() {
        inFlight--;
    }

    /** Gives the place back after a call that answered in time. */
    synchronized void releaseFast() {
        inFlight--;
        limit = Math.min(max, limit + 1.0 / limit);
    }

    /** Gives the place back after a call that was slow or failed. */
    synchronized void releaseSlow() {
        inFlight--;
        limit = Math.max(MIN, limit * DECREASE);
    }

    synchronized int limit() {
        return (int) limit;
    }

    synchronized int inFlight() {
        return inFlight;
    }
}
