package dev.flowgate.testkit.load;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The outcome of a {@link LoadGenerator} run, for the requests after the warmup only.
 *
 * @param requests requests sent, whatever their outcome: answered, timed out or failed
 * @param seconds from the end of the warmup to the end of the last request
 * @param throughputPerSecond answers (of any status) per second; timeouts and errors excluded, so a
 *     server that refuses connections does not look fast
 * @param countsByStatus answers by HTTP status code, in ascending order of code
 * @param timeouts requests without a complete answer within the timeout
 * @param ioErrors requests that failed otherwise: connection refused or reset, malformed answer
 * @param p50Millis latency percentiles and maximum of the answered requests, in milliseconds; in a
 *     closed loop from the write of the request, at a fixed rate from when it was meant to be sent
 */
public record LoadReport(
        long requests,
        double seconds,
        double throughputPerSecond,
        Map<Integer, Long> countsByStatus,
        long timeouts,
        long ioErrors,
        double p50Millis,
        double p90Millis,
        double p99Millis,
        double p999Millis,
        double maxMillis) {

    public LoadReport {
        countsByStatus = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(countsByStatus)));
    }

    /** A few lines for a human, ending with a line break. */
    public String format() {
        String statuses = countsByStatus.isEmpty()
                ? "none"
                : countsByStatus.entrySet().stream()
                        .map(entry -> entry.getKey() + ": " + entry.getValue())
                        .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, """
                requests    %d in %.2f s
                throughput  %.1f answers/s
                status      %s
                timeouts    %d
                io errors   %d
                latency ms  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f
                """,
                requests, seconds, throughputPerSecond, statuses, timeouts, ioErrors,
                p50Millis, p90Millis, p99Millis, p999Millis, maxMillis);
    }
}
