package dev.flowgate.http.client;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's HTTP/1.1 client, for everything it calls: payment processors, Stripe, its own
 * warm-up. Blocking by design: {@link #send} runs on the caller's (virtual) thread and parks only in
 * socket reads; {@link #sendAsync} runs the same call on a virtual thread of its own. Keep-alive
 * connections are pooled per origin. Thread-safe; one client is meant to be shared.
 *
 * <p>Failures say what the server may have seen: a {@link ConnectFailedException} means nothing
 * was sent; a {@link SocketTimeoutException} (no complete answer before the request's timeout) or
 * any other {@link IOException} means the request may have arrived and been acted on.
 *
 * <p>Each exchange is logged at DEBUG (method, origin, path, status, time; the query left out) and
 * its request headers at TRACE, with the values of credential headers replaced by
 * {@code [redacted]}.
 */
public final class HttpClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpClient.class);
    private static final Set<String> ALWAYS_REDACTED = Set.of("authorization", "proxy-authorization", "cookie");
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");

    private final int connectTimeoutMillis;
    private final Duration requestTimeout;
    private final long maxIdleNanos;
    private final int maxIdlePerOrigin;
    private final Set<String> redacted;
    private final ConcurrentHashMap<Origin, ConnectionPool> pools = new ConcurrentHashMap<>();
    private final ThreadFactory asyncThreads = Thread.ofVirtual().name("http-client-", 0).factory();
    private volatile boolean closed;

    private HttpClient(Builder builder) {
        this.connectTimeoutMillis = (int) builder.connectTimeout.toMillis();
        this.requestTimeout = builder.requestTimeout;
        this.maxIdleNanos = builder.idleTimeout.toNanos();
        this.maxIdlePerOrigin = builder.maxIdlePerOrigin;
        this.redacted = Set.copyOf(builder.redacted);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sends the request and reads the whole answer. A request that may be repeated (GET, HEAD, PUT,
     * DELETE, OPTIONS) is sent once more on a fresh connection when a pooled one turns out to have
     * been closed by the server; any other request is sent exactly once.
     *
     * @throws ConnectFailedException if no connection could be made: nothing was sent
     * @throws SocketTimeoutException if the answer was not complete within the request's timeout
     * @throws IOException if the exchange failed after the request may have been sent
     * @throws IllegalStateException if the client is closed
     */
    public HttpResponse send(HttpRequest request) throws IOException {
        if (closed) {
            throw new IllegalStateException("the HTTP client is closed");
        }
        Origin origin = Origin.of(request.uri());
        ConnectionPool pool = pools.computeIfAbsent(origin,
                o -> new ConnectionPool(o, connectTimeoutMillis, maxIdleNanos, maxIdlePerOrigin));
        if (closed) { // close() ran while the pool was made: it may have missed this pool
            pool.close();
            throw new IllegalStateException("the HTTP client is closed");
        }
        byte[] bytes = encode(request, origin);
        Duration timeout = request.timeout() != null ? request.timeout() : requestTimeout;
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        boolean head = request.method().equals("HEAD");
        Connection connection = pool.acquire();
        HttpResponse response;
        try {
            response = exchange(pool, connection, bytes, head, deadline);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            if (!connection.wasStale() || !IDEMPOTENT.contains(request.method()) || Thread.currentThread().isInterrupted()) {
                throw e;
            }
            Connection fresh;
            try {
                fresh = pool.acquireNew();
            } catch (IOException again) {
                // Not a ConnectFailedException: the first send may have reached the server.
                throw new IOException("the kept-alive connection was closed, and reconnecting failed: "
                        + again.getMessage(), again);
            }
            response = exchange(pool, fresh, bytes, head, deadline);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {}{} -> {} in {} ms", request.method(), origin, pathOf(request), response.status(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return response;
    }

    /** One exchange on {@code connection}, which goes back to the pool after it, or is closed however it fails. */
    private static HttpResponse exchange(ConnectionPool pool, Connection connection, byte[] bytes, boolean head,
                                         long deadline) throws IOException {
        boolean released = false;
        try {
            HttpResponse response = connection.exchange(bytes, head, deadline);
            pool.release(connection);
            released = true;
            return response;
        } finally {
            if (!released) {
                connection.close();
            }
        }
    }

    /**
     * Runs {@link #send} on a virtual thread of its own. The future fails with what {@code send}
     * throws.
     */
    public CompletableFuture<HttpResponse> sendAsync(HttpRequest request) {
        CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
        asyncThreads.newThread(() -> {
            try {
                answer.complete(send(request));
            } catch (Throwable e) { // an Error too: a future left incomplete would hang its caller
                answer.completeExceptionally(e);
            }
        }).start();
        return answer;
    }

    private byte[] encode(HttpRequest request, Origin origin) {
        StringBuilder head = new StringBuilder(160).append(request.method()).append(' ').append(request.target())
                .append(" HTTP/1.1\r\nHost: ").append(origin.hostHeader());
        for (HttpHeader header : request.headers()) {
            head.append("\r\n").append(header.name()).append(": ").append(header.value());
        }
        byte[] body = request.body();
        if (body != null) {
            head.append("\r\nContent-Length: ").append(body.length);
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} {}{} headers {}", request.method(), origin, pathOf(request), redactedHeaders(request));
        }
        byte[] headBytes = head.append("\r\n\r\n").toString().getBytes(StandardCharsets.UTF_8);
        if (body == null || body.length == 0) {
            return headBytes;
        }
        byte[] bytes = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
        System.arraycopy(body, 0, bytes, headBytes.length, body.length);
        return bytes;
    }

    /** The request's path as logged: the query may carry what is not ours to log, so it is left out. */
    private static String pathOf(HttpRequest request) {
        String target = request.target();
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query) + "?…";
    }

    /** The request's headers as they may be logged: credentials' values replaced. */
    String redactedHeaders(HttpRequest request) {
        StringBuilder text = new StringBuilder();
        for (HttpHeader header : request.headers()) {
            String name = header.name().toLowerCase(Locale.ROOT);
            boolean secret = ALWAYS_REDACTED.contains(name) || redacted.contains(name);
            text.append(text.isEmpty() ? "" : ", ").append(header.name()).append(": ")
                    .append(secret ? "[redacted]" : header.value());
        }
        return text.toString();
    }

    /** Closes the idle connections and refuses new requests; calls under way finish on their own. */
    @Override
    public void close() {
        closed = true;
        pools.values().forEach(ConnectionPool::close);
    }

    /** How the client is built; every setting has a default that suits calling payment processors. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(4);
        private int maxIdlePerOrigin = 512;
        private final Set<String> redacted = new TreeSet<>();

        private Builder() {
        }

        /** How long making a connection (and its TLS handshake) may take; default 2 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /** How long a whole answer may take unless the request says otherwise; default 30 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "request timeout");
            return this;
        }

        /**
         * How long a kept-alive connection may sit idle before it is dropped rather than reused;
         * keep it below the servers' keep-alive timeout. Default 4 s.
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive(timeout, "idle timeout");
            return this;
        }

        /** How many idle connections are kept per origin; default 512. */
        public Builder maxIdlePerOrigin(int connections) {
            if (connections < 0) {
                throw new IllegalArgumentException("max idle connections cannot be negative: " + connections);
            }
            this.maxIdlePerOrigin = connections;
            return this;
        }

        /**
         * Headers whose values are never logged, beside Authorization, Proxy-Authorization and
         * Cookie (for example an API key header).
         */
        public Builder redactHeader(String name) {
            redacted.add(new HttpHeader(name, "").name().toLowerCase(Locale.ROOT));
            return this;
        }

        public HttpClient build() {
            return new HttpClient(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the " + what + " must be positive and under 24 days: " + d);
            }
            return d;
        }
    }
}
