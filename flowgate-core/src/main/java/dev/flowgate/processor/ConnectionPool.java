package dev.flowgate.processor;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle keep-alive connections to one processor. Connections are taken most-recently-used first (the
 * warmest socket, least likely to have been closed by the server) and dropped once idle longer than
 * {@link #MAX_IDLE_NANOS}, below common server keep-alive timeouts.
 */
final class ConnectionPool implements AutoCloseable {
    private static final long MAX_IDLE_NANOS = 4_000_000_000L; // 4 s
    private static final int MAX_IDLE_CONNECTIONS = 512;

    private final String host;
    private final int port;
    private final boolean tls;
    private final int connectTimeoutMillis;
    private final ConcurrentLinkedDeque<ProcessorConnection> idle = new ConcurrentLinkedDeque<>();
    // ConcurrentLinkedDeque.size() walks the deque; the count is kept beside it instead.
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean closed;

    ConnectionPool(URI baseUri, int connectTimeoutMillis) {
        this.host = baseUri.getHost();
        this.tls = "https".equals(baseUri.getScheme());
        this.port = baseUri.getPort() > 0 ? baseUri.getPort() : tls ? 443 : 80;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    String hostHeader() {
        return host + ":" + port;
    }

    /** An idle connection, or a new one; a failure to connect is a {@link ProcessorConnection.ConnectFailedException}. */
    ProcessorConnection acquire() throws IOException {
        long now = System.nanoTime();
        for (ProcessorConnection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            idleCount.decrementAndGet();
            if (now - c.idleSinceNanos() < MAX_IDLE_NANOS) {
                return c;
            }
            c.close();
        }
        return ProcessorConnection.open(host, port, tls, connectTimeoutMillis);
    }

    /** Returns a connection after a complete exchange; closes it if it cannot be reused. */
    void release(ProcessorConnection connection) {
        if (closed || !connection.reusable() || idleCount.get() >= MAX_IDLE_CONNECTIONS) {
            connection.close();
            return;
        }
        connection.markIdle(System.nanoTime());
        idleCount.incrementAndGet();
        idle.offerFirst(connection);
    }

    @Override
    public void close() {
        closed = true;
        for (ProcessorConnection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            idleCount.decrementAndGet();
            c.close();
        }
    }
}
