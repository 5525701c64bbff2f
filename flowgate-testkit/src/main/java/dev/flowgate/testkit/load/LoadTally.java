package dev.flowgate.testkit.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the connections of one run record, shared by all of them. Thread-safe.
 *
 * <p>One {@link Recorder} rather than a histogram per connection: at 3 significant digits up to 60 s
 * a histogram is about 128 KiB, which times 10,000 connections would be over a gigabyte.
 */
final class LoadTally {

    static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(60);

    private static final int SIGNIFICANT_DIGITS = 3;
    private static final double MICROS_PER_MILLI = 1_000.0;

    private final Recorder latencies = new Recorder(MAX_LATENCY_MICROS, SIGNIFICANT_DIGITS);
    private final Map<Integer, LongAdder> answersByStatus = new ConcurrentHashMap<>();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder ioErrors = new LongAdder();
    private final LongAdder finished = new LongAdder();

    /** An answer arrived; only counted in the report if {@code recorded} (past the warmup). */
    void answer(int status, long latencyNanos, boolean recorded) {
        finished.increment();
        if (recorded) {
            answersByStatus.computeIfAbsent(status, code -> new LongAdder()).increment();
            // Beyond 60 s (a fixed rate far behind schedule) the value is clamped, not lost.
            latencies.recordValue(Math.clamp(TimeUnit.NANOSECONDS.toMicros(latencyNanos), 0, MAX_LATENCY_MICROS));
        }
    }

    void timeout(boolean recorded) {
        finished.increment();
        if (recorded) {
            timeouts.increment();
        }
    }

    void ioError(boolean recorded) {
        finished.increment();
        if (recorded) {
            ioErrors.increment();
        }
    }

    /** Requests finished so far, warmup included, whatever their outcome. */
    long finished() {
        return finished.sum();
    }

    /** Call once, after every connection has stopped. */
    LoadReport report(double seconds) {
        Histogram histogram = latencies.getIntervalHistogram();
        Map<Integer, Long> countsByStatus = new TreeMap<>();
        answersByStatus.forEach((status, count) -> countsByStatus.put(status, count.sum()));
        long answers = histogram.getTotalCount();
        long requests = answers + timeouts.sum() + ioErrors.sum();
        return new LoadReport(
                requests,
                seconds,
                seconds > 0 ? answers / seconds : 0,
                countsByStatus,
                timeouts.sum(),
                ioErrors.sum(),
                millis(histogram, 50),
                millis(histogram, 90),
                millis(histogram, 99),
                millis(histogram, 99.9),
                histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue() / MICROS_PER_MILLI);
    }

    private static double millis(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / MICROS_PER_MILLI;
    }
}
