package dev.flowgate.server.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One HTTP answer. The body is complete in memory: every answer Flowgate gives is small.
 *
 * @param contentType the Content-Type, or null for an empty body
 * @param headers     extra headers, e.g. {@code Allow} or {@code Retry-After}
 */
public record HttpResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    private static final byte[] EMPTY = new byte[0];

    public static HttpResponse empty(int status) {
        return new HttpResponse(status, null, EMPTY, Map.of());
    }

    public static HttpResponse json(int status, byte[] body) {
        return new HttpResponse(status, "application/json", body, Map.of());
    }

    public static HttpResponse text(int status, String body) {
        return new HttpResponse(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public HttpResponse withHeader(String name, String value) {
        var copy = new java.util.LinkedHashMap<>(headers);
        copy.put(name, value);
        return new HttpResponse(status, contentType, body, Map.copyOf(copy));
    }
}
