package dev.flowgate.routing;

import dev.flowgate.processor.ProcessorClient;
import dev.flowgate.processor.SendOutcome;
import java.time.Duration;
import java.time.Instant;

/**
 * A place for one call at one processor, handed out by the {@link Router}: the call goes through
 * {@link #client()}, and the reservation ends exactly once, with the payment call's outcome
 * ({@link #record}) or without one ({@link #close}: a lookup, or nothing was sent). Whatever ends it
 * first wins and later ends do nothing, so a worker can hold it in try-with-resources and record
 * inside: no path, a throwing one included, leaks the place or gives it back twice.
 *
 * <p>Used by the one worker that received it; not thread-safe.
 */
public final class Reservation implements AutoCloseable {
    /** What ending a reservation does at its processor's lane. */
    public interface Ending {
        /** The call was a payment, and this is what it showed of the processor. */
        void outcome(SendOutcome outcome, Duration took, Instant now);

        /** The call said nothing about the processor's health, or was never made. */
        void release();
    }

    private final ProcessorClient client;
    private final Ending ending;
    private boolean ended;

    public Reservation(ProcessorClient client, Ending ending) {
        this.client = client;
        this.ending = ending;
    }

    public ProcessorClient client() {
        return client;
    }

    /** Ends the reservation with the outcome of the payment call made on it; nothing if it has ended. */
    public void record(SendOutcome outcome, Duration took, Instant now) {
        if (end()) {
            ending.outcome(outcome, took, now);
        }
    }

    /** Ends the reservation without an outcome; nothing if it has ended (after {@link #record}, say). */
    @Override
    public void close() {
        if (end()) {
            ending.release();
        }
    }

    /** Marks the end before the lane hears of it: a lane that throws is not told a second time. */
    private boolean end() {
        if (ended) {
            return false;
        }
        ended = true;
        return true;
    }

    @Override
    public String toString() {
        return "Reservation[" + client.name() + (ended ? ", ended]" : "]");
    }
}
