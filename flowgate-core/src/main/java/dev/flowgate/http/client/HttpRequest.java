package dev.flowgate.http.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A request to send with {@link HttpClient}: immutable, built from {@link #get} or {@link #post}
 * and the {@code with} methods. The body is not copied; callers hand it over and do not change it.
 *
 * @param timeout how long the whole answer may take, or null for the client's request timeout
 */
public record HttpRequest(String method, URI uri, List<HttpHeader> headers, byte[] body, Duration timeout) {
    public HttpRequest {
        if (method == null || method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw new IllegalArgumentException("not a request method: " + method);
        }
        if (uri == null || uri.getRawAuthority() == null || uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("not an absolute http(s) URI with a host: " + uri);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a request URI has no fragment: " + uri);
        }
        headers = List.copyOf(headers);
        for (HttpHeader header : headers) {
            if (header.name().equalsIgnoreCase("host") || header.name().equalsIgnoreCase("content-length")
                    || header.name().equalsIgnoreCase("transfer-encoding")) {
                throw new IllegalArgumentException(header.name() + " is written by the client, not given");
            }
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("a request timeout must be positive: " + timeout);
        }
    }

    public static HttpRequest get(URI uri) {
        return new HttpRequest("GET", uri, List.of(), null, null);
    }

    public static HttpRequest post(URI uri, String contentType, byte[] body) {
        return new HttpRequest("POST", uri, List.of(new HttpHeader("Content-Type", contentType)), body, null);
    }

    public HttpRequest withHeader(String name, String value) {
        List<HttpHeader> more = new ArrayList<>(headers);
        more.add(new HttpHeader(name, value));
        return new HttpRequest(method, uri, more, body, timeout);
    }

    public HttpRequest withTimeout(Duration timeout) {
        return new HttpRequest(method, uri, headers, body, timeout);
    }

    /** The path and query as sent on the request line: {@code /} when the URI has no path. */
    String target() {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
}
