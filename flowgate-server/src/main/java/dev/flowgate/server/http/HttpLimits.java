package dev.flowgate.server.http;

import java.time.Duration;

/**
 * Bounds that keep a hostile or broken client from holding memory, threads or connections.
 *
 * @param maxHeaderBytes  request line plus headers
 * @param maxBodyBytes    a larger Content-Length gets 413 without the body being read
 * @param idleTimeout     longest wait for the next request on a keep-alive connection
 * @param requestTimeout  longest time from a request's first byte to its last: a client sending a
 *                        byte every few seconds is answered 408 and closed when it runs out
 * @param writeTimeout    longest a response may take to leave: a client that never reads is closed
 * @param maxConnections  open connections at most; a new one past it closes the longest-idle one
 */
public record HttpLimits(int maxHeaderBytes, int maxBodyBytes, Duration idleTimeout, Duration requestTimeout,
                         Duration writeTimeout, int maxConnections) {
    public HttpLimits {
        if (maxHeaderBytes < 256 || maxBodyBytes < 0 || maxConnections < 1 || !idleTimeout.isPositive()
                || !requestTimeout.isPositive() || !writeTimeout.isPositive()) {
            throw new IllegalArgumentException("invalid HTTP limits");
        }
    }

    /**
     * An open connection costs a platform thread (see {@link HttpServer}). Measured on
     * {@code flowgate serve} from another process: +122 MiB of RSS for 2,000 idle connections
     * (61 KiB each; 31 KiB each from the 1,000th on). 2,048 is three times the contest's ~600 and
     * caps what idle clients can cost; past it they close each other, not the server.
     */
    public static HttpLimits defaults() {
        return new HttpLimits(8 * 1024, 16 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 2048);
    }

    public HttpLimits withRequestTimeout(Duration timeout) {
        return new HttpLimits(maxHeaderBytes, maxBodyBytes, idleTimeout, timeout, writeTimeout, maxConnections);
    }

    public HttpLimits withWriteTimeout(Duration timeout) {
        return new HttpLimits(maxHeaderBytes, maxBodyBytes, idleTimeout, requestTimeout, timeout, maxConnections);
    }

    public HttpLimits withMaxConnections(int max) {
        return new HttpLimits(maxHeaderBytes, maxBodyBytes, idleTimeout, requestTimeout, writeTimeout, max);
    }
}
