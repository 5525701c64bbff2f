package dev.flowgate.routing;

import java.time.Instant;

/** A router's decision for one payment attempt. */
public sealed interface Route {
    /** Send the attempt now, on this reservation; ending it is the caller's. */
    record Send(Reservation reservation) implements Route {
    }

    /**
     * No processor should be called now; try again at {@code until}. The payment stays queued.
     *
     * @param brief  true when a processor is only full (its calls in flight at their limit), which
     *               frees up as calls return: no reason to back off
     * @param reason why, for the payment's {@code lastError}; names processors and states, never
     *               instants, so an unchanged situation reads the same
     */
    record Wait(Instant until, boolean brief, String reason) implements Route {
    }
}
