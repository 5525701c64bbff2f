package dev.flowgate.testkit.load;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out the requests of a run to its connections and says when each should start.
 *
 * <p>Each request is a ticket taken from one counter shared by all connections, so the request limit
 * holds exactly however the connections race, and in fixed-rate mode an idle connection picks up the
 * next due request instead of each connection owning a fixed share: a connection stuck on a slow
 * answer then delays no other request than its own.
 *
 * <p>Time comes in as a parameter, so every decision can be tested without sleeping. Thread-safe.
 */
final class SendSchedule {

    /** Returned by {@link #claim} when the run must send no more requests. */
    static final long DONE = -1;

    private static final double NANOS_PER_SECOND = 1e9;

    private final long startNanos;
    private final long deadlineNanos;
    private final long maxRequests;
    private final double nanosBetweenRequests;
    private final AtomicLong nextTicket = new AtomicLong();

    /**
     * @param ratePerSecond requests per second in total, or 0 for a closed loop
     */
    SendSchedule(long startNanos, Duration duration, long maxRequests, int ratePerSecond) {
        this.startNanos = startNanos;
        this.deadlineNanos = startNanos + duration.toNanos();
        this.maxRequests = maxRequests;
        this.nanosBetweenRequests = ratePerSecond == 0 ? 0 : NANOS_PER_SECOND / ratePerSecond;
    }

    boolean closedLoop() {
        return nanosBetweenRequests == 0;
    }

    /**
     * Claims the next request of the run.
     *
     * @return its ticket, counting from 0, or {@link #DONE} once the request limit is used up or the
     *     request would start at or after the end of the run
     */
    long claim(long nowNanos) {
        if (closedLoop() && nowNanos - deadlineNanos >= 0) {
            return DONE;
        }
        long ticket = nextTicket.getAndIncrement();
        if (ticket >= maxRequests) {
            return DONE;
        }
        if (!closedLoop() && intendedStart(ticket, nowNanos) - deadlineNanos >= 0) {
            return DONE;
        }
        return ticket;
    }

    /**
     * When the request of this ticket is meant to start: on the fixed-rate grid (start + ticket /
     * rate), whatever the time now; in a closed loop there is no plan, so now.
     */
    long intendedStart(long ticket, long nowNanos) {
        return closedLoop() ? nowNanos : startNanos + (long) (ticket * nanosBetweenRequests);
    }
}
