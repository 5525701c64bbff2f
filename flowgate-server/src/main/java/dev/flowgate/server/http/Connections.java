package dev.flowgate.server.http;

import java.io.IOException;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;

/**
 * The open connections, what each is doing, and the two rules that keep them from starving the
 * server: past the limit a new connection closes the longest-idle one (idle ones are what a flood
 * of keep-alive clients leaves behind; the new client has a request to make), and a response that
 * has been leaving for longer than the write timeout (its client does not read) has its connection
 * closed. Time is {@link System#nanoTime()}, passed in. Thread-safe.
 */
final class Connections {
    /** One connection; its thread writes the markers, the acceptor and the reaper read them. */
    static final class Connection {
        private static final long NONE = Long.MIN_VALUE;
        final Socket socket;
        private volatile long idleSince;
        private volatile long writingSince = NONE;

        private Connection(Socket socket, long now) {
            this.socket = socket;
            this.idleSince = now;
        }

        /** Waiting for the next request (a request that trickles in counts as idle too). */
        void idle(long now) {
            idleSince = now;
        }

        void busy() {
            idleSince = NONE;
        }

        void writing(long now) {
            writingSince = now;
        }

        void written() {
            writingSince = NONE;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing it is all that was asked.
            }
        }
    }

    private final int max;
    private final Set<Connection> open = new HashSet<>();

    Connections(int max) {
        this.max = max;
    }

    /**
     * Registers a new connection, closing the longest-idle one if the limit is reached.
     *
     * @return the connection, or null if every open one is busy: then the new one must be refused
     */
    Connection admit(Socket socket, long now) {
        Connection evicted = null;
        Connection admitted = null;
        synchronized (this) {
            if (open.size() >= max) {
                for (Connection c : open) {
                    long since = c.idleSince;
                    if (since != Connection.NONE && (evicted == null || since - evicted.idleSince < 0)) {
                        evicted = c;
                    }
                }
                if (evicted != null) {
                    open.remove(evicted);
                }
            }
            if (open.size() < max) {
                admitted = new Connection(socket, now);
                open.add(admitted);
            }
        }
        if (evicted != null) {
            evicted.close();
        }
        return admitted;
    }

    synchronized void remove(Connection connection) {
        open.remove(connection);
    }

    /** Closes every connection whose response has been leaving for longer than {@code timeoutNanos}. */
    void closeStalledWrites(long now, long timeoutNanos) {
        for (Connection c : snapshot()) {
            long since = c.writingSince;
            if (since != Connection.NONE && now - since > timeoutNanos) {
                c.close();
            }
        }
    }

    synchronized int size() {
        return open.size();
    }

    void closeAll() {
        snapshot().forEach(Connection::close);
    }

    private synchronized Set<Connection> snapshot() {
        return Set.copyOf(open);
    }
}
