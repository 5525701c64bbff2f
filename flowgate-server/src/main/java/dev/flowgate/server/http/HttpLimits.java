package dev.flowgate.server.http;

import java.time.Duration;

/**
 * Bounds that keep a hostile or broken client from holding memory or threads.
 *
 * @param maxHeaderBytes request line plus headers
 * @param maxBodyBytes   a larger Content-Length gets 413 without the body being read
 * @param readTimeout    longest silence inside a request, and longest idle time between requests
 */
public record HttpLimits(int maxHeaderBytes, int maxBodyBytes, Duration readTimeout) {
    public static HttpLimits defaults() {
        return new HttpLimits(8 * 1024, 16 * 1024, Duration.ofSeconds(30));
    }
}
