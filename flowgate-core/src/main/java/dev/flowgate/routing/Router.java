package dev.flowgate.routing;

import java.time.Instant;
import java.util.List;

/**
 * Decides where each payment attempt goes and reserves its place there. Workers ask for a route,
 * call the processor through the {@link Reservation} it carries, then end the reservation (with the
 * call's outcome, or without); the router never calls processors itself. Thread-safe.
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

    /**
     * A reservation at {@code processor} for a pinned payment; or when to ask again.
     *
     * @throws IllegalArgumentException if {@code processor} is not {@link #configured}
     */
    Route reserve(String processor, Instant now);

    /** Whether {@code processor} is one of this router's, by name. */
    boolean configured(String processor);

    List<ProcessorStatus> status();
}
