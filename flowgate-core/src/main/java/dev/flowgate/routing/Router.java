package dev.flowgate.routing;

import dev.flowgate.processor.SendOutcome;
import java.time.Instant;
import java.util.List;

/**
 * Decides where each payment attempt goes. Workers ask for a route, call the processor, then report
 * the outcome so the router learns; the router never calls processors itself. Thread-safe.
 */
public interface Router {
    /** The processor for the next attempt of a payment that is not pinned anywhere. */
    Route choose(Instant now);

    /** When {@code processor} may be called again (now or earlier means at once). */
    Instant availableAt(String processor, Instant now);

    /** Learns from the outcome of a call to {@code processor} that ended at {@code now}. */
    void record(String processor, SendOutcome outcome, Instant now);

    List<ProcessorStatus> status();
}
