package dev.flowgate.http.client;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle keep-alive connections to one origin. Connections are taken most-recently-used first (the
 * warmest socket, least likely to have been closed by the server) and dropped once idle longer than
 * the idle timeout, which should be below the server's keep-alive timeout (commonly 5 s or more).
 */
final class ConnectionPool implements AutoCloseable {
    private final Origin origin;
    private final int connectTimeoutMillis;
    private final long maxIdleNanos;
    private final int maxIdleConnections;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    // ConcurrentLinkedDeque.size() walks the deque; the count is kept beside it instead.
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean closed;

    ConnectionPool(Origin origin, int connectTimeoutMillis, long maxIdleNanos, int maxIdleConnections) {
        this.origin = origin;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.maxIdleNanos = maxIdleNanos;
        this.maxIdleConnections = maxIdleConnections;
    }

    /** An idle connection, or a new one; a failure to connect is a {@link ConnectFailedException}. */
    Connection acquire() throws IOException {
        long now = System.nanoTime();
        for (Connection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            idleCount.decrementAndGet();
            if (now - c.idleSinceNanos() < maxIdleNanos) {
                return c;
            }
            c.close();
        }
        return Connection.open(origin, connectTimeoutMillis);
    }

    /** A new connection, never a pooled one. */
    Connection acquireNew() throws IOException {
        return Connection.open(origin, connectTimeoutMillis);
    }

    /** Returns a connection after a complete exchange; closes it if it cannot be reused. */
    void release(Connection connection) {
        if (closed || !connection.reusable() || idleCount.get() >= maxIdleConnections) {
            connection.close();
            return;
        }
        long now = System.nanoTime();
        connection.markIdle(now);
        idleCount.incrementAndGet();
        idle.offerFirst(connection);
        if (closed) { // close() may have drained the deque before the offer
            close();
            return;
        }
        // The least recently used connection sits at the tail; when traffic drops, nothing takes it
        // again, so it is dropped here once expired rather than left open until the server closes it.
        Connection oldest = idle.peekLast();
        if (oldest != null && now - oldest.idleSinceNanos() >= maxIdleNanos && idle.removeLastOccurrence(oldest)) {
            idleCount.decrementAndGet();
            oldest.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Connection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            idleCount.decrementAndGet();
            c.close();
        }
    }
}
