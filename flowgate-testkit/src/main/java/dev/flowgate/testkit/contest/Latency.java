package dev.flowgate.testkit.contest;

import java.math.BigDecimal;
import org.HdrHistogram.Histogram;

/** Percentiles of the acknowledged payments' latency, in milliseconds with microsecond resolution. */
record Latency(BigDecimal p50, BigDecimal p90, BigDecimal p99, BigDecimal max) {

    /** From a histogram in microseconds; all zeros when it is empty. */
    static Latency of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            BigDecimal zero = BigDecimal.ZERO.setScale(3);
            return new Latency(zero, zero, zero, zero);
        }
        return new Latency(millis(micros.getValueAtPercentile(50)), millis(micros.getValueAtPercentile(90)),
                millis(micros.getValueAtPercentile(99)), millis(micros.getMaxValue()));
    }

    private static BigDecimal millis(long micros) {
        return BigDecimal.valueOf(micros, 3);
    }
}
