package dev.flowgate.metrics;

/**
 * What the engine tells whoever watches it, as it happens. The core calls these on its hot paths,
 * so an implementation must be cheap and must not throw; {@link #NONE} does nothing. Levels (queue
 * depth, calls in flight, breaker states) are not events: a watcher reads them from
 * {@code Flowgate.status()} when it is asked.
 */
public interface Metrics {
    Metrics NONE = new Metrics() {
    };

    /**
     * Intake answered a payment: {@code result} is {@code accepted}, {@code duplicate} or
     * {@code conflict}; {@code nanos} is the wait for the journal.
     */
    default void intake(String result, long nanos) {
    }

    /** A payment call to {@code processor} ended with {@code outcome} (processed, failed, unknown, ...). */
    default void attempt(String processor, String outcome, long nanos) {
    }

    /** A task's run ended: {@code ending} is completed, retry, dead_letter or stale (its lease had run out). */
    default void taskRun(String kind, String ending, long nanos) {
    }
}
