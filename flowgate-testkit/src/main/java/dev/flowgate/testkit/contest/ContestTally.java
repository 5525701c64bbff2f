package dev.flowgate.testkit.contest;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the virtual users of one run record, shared by all of them. Thread-safe; {@link #takeInterval}
 * and {@link #total} belong to the one thread that reports progress and the result.
 *
 * <p>One {@link Recorder} rather than a histogram per user: at 3 significant digits a histogram is
 * tens of KiB, which times 5,000 users would be hundreds of MiB.
 */
final class ContestTally {

    /** What the contest's k6 script counts as a successful payment; anything else is a failure. */
    static final Set<Integer> ACKNOWLEDGED = Set.of(200, 201, 202, 204);

    // Answers arrive within the 1.5 s timeout; a minute leaves room for a stalled clock read.
    private static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(60);
    private static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder latencies = new Recorder(MAX_LATENCY_MICROS, SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(MAX_LATENCY_MICROS, SIGNIFICANT_DIGITS);
    private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder connectErrors = new LongAdder();
    private final LongAdder errorsAfterSending = new LongAdder();

    /** A request is about to be written; every call is followed by one of the outcomes below. */
    void sending() {
        sent.increment();
    }

    void answer(int status, long latencyNanos) {
        byStatus.computeIfAbsent(status, code -> new LongAdder()).increment();
        if (ACKNOWLEDGED.contains(status)) {
            acknowledged.increment();
            latencies.recordValue(Math.clamp(TimeUnit.NANOSECONDS.toMicros(latencyNanos), 0, MAX_LATENCY_MICROS));
        }
    }

    void timeout() {
        timeouts.increment();
    }

    /** The connection failed after the request was (perhaps partly) written. */
    void errorAfterSending() {
        errorsAfterSending.increment();
    }

    /** No connection: the request was never sent, and is not counted in {@link #sent()}. */
    void connectError() {
        connectErrors.increment();
    }

    long sent() {
        return sent.sum();
    }

    long acknowledged() {
        return acknowledged.sum();
    }

    /** Requests sent without a complete answer: the backend may or may not have accepted them. */
    long unanswered() {
        return timeouts.sum() + errorsAfterSending.sum();
    }

    /** Requests finished so far, whatever the outcome, connection failures included. */
    long finished() {
        long answered = byStatus.values().stream().mapToLong(LongAdder::sum).sum();
        return answered + unanswered() + connectErrors.sum();
    }

    /** Answers by status code, then {@code timeout} and {@code error}, as the report shows them. */
    Map<String, Long> requestsByStatus() {
        Map<String, Long> counts = new TreeMap<>();
        byStatus.forEach((status, count) -> counts.put(Integer.toString(status), count.sum()));
        // Listed even when zero: a report that lacks them would leave the reader guessing.
        counts.put("timeout", timeouts.sum());
        counts.put("error", connectErrors.sum() + errorsAfterSending.sum());
        return counts;
    }

    /** Latencies (microseconds) acknowledged since the previous call; they also go into {@link #total}. */
    Histogram takeInterval() {
        Histogram interval = latencies.getIntervalHistogram();
        total.add(interval);
        return interval;
    }

    /** All latencies (microseconds) acknowledged so far; call once the users have stopped. */
    Histogram total() {
        takeInterval();
        return total;
    }
}
