package dev.flowgate.testkit.load;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * What one {@link LoadGenerator} run does: where it sends {@code POST /payments}, over how many
 * connections, at what pace, and when it stops. The constructor rejects values that make no sense;
 * that the target is a loopback address is checked by {@link LoadGenerator#run} when it resolves the
 * host, before any connection is opened.
 *
 * @param target base URI of the server, e.g. {@code http://127.0.0.1:9999}; plain http only, the
 *     request goes to its path + {@code /payments}
 * @param connections keep-alive connections, each driven by its own thread (1..10000)
 * @param duration no request starts after this much time (positive, at most a day)
 * @param maxRequests no more than this many requests in total, whichever bound comes first
 * @param ratePerSecond requests per second across all connections; 0 means closed loop (each
 *     connection sends its next request as soon as the previous answer arrives)
 * @param amount the (positive) amount in every body
 * @param timeout per request, from its write to the end of its response; between 1 ms and 60 s
 * @param warmup requests starting in this first part of the run are sent but not recorded; zero or
 *     more, and shorter than {@code duration}
 */
public record LoadOptions(
        URI target,
        int connections,
        Duration duration,
        long maxRequests,
        int ratePerSecond,
        BigDecimal amount,
        Duration timeout,
        Duration warmup) {

    static final int MAX_CONNECTIONS = 10_000;

    // Keeps every nanosecond computation of a run far from overflow; no load test needs longer.
    static final Duration MAX_DURATION = Duration.ofDays(1);

    // The latency histogram tracks up to 60 s, so a longer timeout could not be recorded.
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

    // Socket timeouts are in whole milliseconds, and 0 would mean "wait forever".
    static final Duration MIN_TIMEOUT = Duration.ofMillis(1);

    public LoadOptions {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(warmup, "warmup");
        // Only plain http: the generator is a minimal hand-rolled client, and TLS would measure the
        // handshake, not the server.
        check("http".equalsIgnoreCase(target.getScheme()), "target must be an http:// URI: " + target);
        check(target.getHost() != null && !target.getHost().isEmpty(), "target has no host: " + target);
        check(target.getRawQuery() == null && target.getRawFragment() == null,
                "target must be a base URI without query or fragment: " + target);
        check(connections >= 1 && connections <= MAX_CONNECTIONS,
                "connections must be between 1 and " + MAX_CONNECTIONS + ", got " + connections);
        check(duration.isPositive() && duration.compareTo(MAX_DURATION) <= 0,
                "duration must be positive and at most 1 day, got " + seconds(duration));
        check(maxRequests >= 1, "the request limit must be positive, got " + maxRequests);
        check(ratePerSecond >= 0, "rate must be 0 (closed loop) or positive, got " + ratePerSecond);
        check(amount.signum() > 0, "amount must be positive, got " + amount.toPlainString());
        check(timeout.compareTo(MIN_TIMEOUT) >= 0 && timeout.compareTo(MAX_TIMEOUT) <= 0,
                "timeout must be between 1 ms and 60 s, got " + seconds(timeout));
        check(!warmup.isNegative(), "warmup must not be negative, got " + seconds(warmup));
        check(warmup.compareTo(duration) < 0, "warmup (" + seconds(warmup)
                + ") must be shorter than the duration (" + seconds(duration) + ")");
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    // Not toNanos(): the durations reported here may be absurdly large, and must not overflow.
    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.3f s", duration.getSeconds() + duration.getNano() / 1e9);
    }
}
