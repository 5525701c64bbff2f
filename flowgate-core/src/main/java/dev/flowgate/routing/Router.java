package dev.flowgate.routing;

import dev.flowgate.processor.SendOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Decides where each payment attempt goes and reserves its place there. Workers ask for a route,
 * call the processor, then report the outcome (which ends the reservation); the router never calls
 * processors itself. Thread-safe.
 */
public interface Router {
    /** The processor for a payment pinned nowhere, reserved; or when to ask again. */
    default Route choose(Instant now) {
        return choose(now, null);
    }

    /**
     * As {@link #choose(Instant)}, but never {@code except} (null: any): for a payment that
     * processor just failed, which should go elsewhere or wait.
     */
    Route choose(Instant now, String except);

    /** A reservation at {@code processor} for a pinned payment; or when to ask again. */
    Route reserve(String processor, Instant now);

    /** Ends a reservation used for a payment call, learning from its outcome. */
    void record(String processor, SendOutcome outcome, Duration took, Instant now);

    /** Ends a reservation used for a lookup, which says nothing about the processor's health. */
    void release(String processor);

    List<ProcessorStatus> status();
}
