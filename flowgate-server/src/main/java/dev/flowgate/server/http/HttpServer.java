package dev.flowgate.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server: blocking sockets, one thread per connection, keep-alive, bodies by
 * Content-Length only.
 *
 * <p>Why not a framework: on this workload (hundreds of keep-alive connections, a few hundred small
 * requests per second) the tail latency is decided by what runs between the socket and the handler.
 * A plain read-parse-write loop measured the lowest p99 of the servers tried (docs/decisions.md),
 * and it is short enough to read in one sitting.
 *
 * <p>Why platform threads for connections: the settlement workers are virtual threads and share
 * the two carriers; a connection thread the kernel wakes directly does not queue behind them. In
 * the contest's scenario this took the p99 from 11.7-13.5 ms to 10.3-11.1 ms (docs/decisions.md).
 * A connection thread spends its life blocked in a read, so its cost is its stack: 256 KiB. It
 * asks for the highest priority, so that when both cores are busy (settlement, the processors, the
 * database writer) the kernel runs a woken connection first; the JVM passes Java priorities to
 * the kernel only with {@code -XX:ThreadPriorityPolicy=1}, and raising one needs CAP_SYS_NICE
 * (root has it): without either it is ignored, and nothing else changes.
 *
 * <p>Everything a client sends is bounded by {@link HttpLimits}; a request the server cannot parse
 * is answered through {@link HttpHandler#refused} and the connection is closed. No client can
 * starve the others: a request must arrive whole within its timeout, a response that its client
 * does not read is cut off after the write timeout (a reaper checks every {@link #REAP_INTERVAL}),
 * past the connection limit a new client closes the longest-idle connection rather than being
 * refused, and when the process runs out of file descriptors the acceptor backs off instead of
 * spinning.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    private static final int LINGER_MILLIS = 1000;
    private static final int LINGER_MAX_BYTES = 256 * 1024;
    static final Duration REAP_INTERVAL = Duration.ofMillis(500);
    /** The acceptor's pause after a failed accept (out of descriptors), doubling up to the cap. */
    static final Duration ACCEPT_BACKOFF_MIN = Duration.ofMillis(10);
    static final Duration ACCEPT_BACKOFF_MAX = Duration.ofSeconds(1);

    private final ServerSocket serverSocket;
    private final HttpHandler handler;
    private final HttpLimits limits;
    private final Connections connections;
    private final Thread acceptor;
    private final Thread reaper;
    private volatile boolean closed;

    HttpServer(ServerSocket serverSocket, HttpHandler handler, HttpLimits limits) {
        this.serverSocket = serverSocket;
        this.handler = handler;
        this.limits = limits;
        this.connections = new Connections(limits.maxConnections());
        this.acceptor = Thread.ofVirtual().name("http-acceptor").start(this::acceptLoop);
        this.reaper = Thread.ofVirtual().name("http-write-reaper").start(this::reapLoop);
    }

    public static HttpServer start(InetSocketAddress address, HttpLimits limits, HttpHandler handler) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(address, 1024);
        return new HttpServer(socket, handler, limits);
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        Duration backoff = ACCEPT_BACKOFF_MIN;
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
                backoff = ACCEPT_BACKOFF_MIN;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // Most likely out of file descriptors: retrying at once would spin a core and flood
                // the log; the connections that close meanwhile give some back.
                LOG.warn("accept failed, pausing {} ms: {}", backoff.toMillis(), e.toString());
                if (!pause(backoff)) {
                    return;
                }
                Duration doubled = backoff.multipliedBy(2);
                backoff = doubled.compareTo(ACCEPT_BACKOFF_MAX) > 0 ? ACCEPT_BACKOFF_MAX : doubled;
                continue;
            }
            Connections.Connection connection = connections.admit(socket, System.nanoTime());
            if (connection == null) {
                closeQuietly(socket); // every connection is busy with a request: this one must wait its turn
                continue;
            }
            try {
                Thread.ofPlatform().name("http-connection").stackSize(256 * 1024).priority(Thread.MAX_PRIORITY)
                        .start(() -> serve(connection));
            } catch (RuntimeException | OutOfMemoryError e) {
                // No thread to be had (the OS limit): refuse this one, keep accepting the next.
                LOG.warn("cannot start a connection thread: {}", e.toString());
                connections.remove(connection);
                closeQuietly(socket);
            }
        }
    }

    private void reapLoop() {
        while (!closed && pause(REAP_INTERVAL)) {
            connections.closeStalledWrites(System.nanoTime(), limits.writeTimeout().toNanos());
        }
    }

    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private void serve(Connections.Connection connection) {
        Socket socket = connection.socket;
        try (socket) {
            socket.setTcpNoDelay(true);
            RequestReader reader = new RequestReader(socket, limits);
            OutputStream out = socket.getOutputStream();
            boolean keepAlive = true;
            while (keepAlive && !closed) {
                RequestReader.Result result;
                try {
                    result = reader.next(out);
                } catch (SocketTimeoutException e) {
                    // Idle between requests is normal; silence inside one, or a request too slow, is answered.
                    if (reader.insideRequest()) {
                        write(connection, out, handler.refused(408, "the request was not completed in time"), false);
                    }
                    return;
                }
                connection.busy();
                switch (result) {
                    case RequestReader.Result.End end -> {
                        return;
                    }
                    case RequestReader.Result.Refused refused -> {
                        write(connection, out, handler.refused(refused.status(), refused.detail()), false);
                        lingeringClose(socket);
                        return;
                    }
                    case RequestReader.Result.Request request -> {
                        keepAlive = request.keepAlive();
                        write(connection, out, dispatch(request.request()), keepAlive);
                        connection.idle(System.nanoTime()); // idle since admitted, or since its last answer
                    }
                }
            }
        } catch (SocketException e) {
            // The peer reset, we are closing, or the reaper cut off a client that does not read.
        } catch (IOException e) {
            LOG.debug("connection ended: {}", e.toString());
        } finally {
            connections.remove(connection);
        }
    }

    /** Writes with the reaper watching: a response that does not leave within the write timeout closes the connection. */
    private static void write(Connections.Connection connection, OutputStream out, HttpResponse response,
                              boolean keepAlive) throws IOException {
        connection.writing(System.nanoTime());
        try {
            ResponseWriter.write(out, response, keepAlive);
        } finally {
            connection.written();
        }
    }

    /** Connections open now; for tests and status. */
    public int openConnections() {
        return connections.size();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Refusing the connection anyway.
        }
    }

    /**
     * After refusing a request whose rest is still arriving, read and drop it for a moment before
     * closing: closing with unread data makes the kernel send a reset, and the client may then lose
     * our answer before reading it.
     */
    private static void lingeringClose(Socket socket) throws IOException {
        socket.shutdownOutput();
        socket.setSoTimeout(LINGER_MILLIS);
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[8192];
        long deadline = System.nanoTime() + LINGER_MILLIS * 1_000_000L;
        try {
            for (int total = 0; total < LINGER_MAX_BYTES && System.nanoTime() < deadline; ) {
                int n = in.read(sink);
                if (n < 0) {
                    return;
                }
                total += n;
            }
        } catch (SocketTimeoutException e) {
            // The client went quiet; close now.
        }
    }

    private HttpResponse dispatch(HttpRequest request) {
        try {
            return handler.handle(request);
        } catch (RuntimeException e) {
            LOG.error("handler failed on {} {}", request.method(), request.path(), e);
            return handler.refused(500, "internal error");
        } catch (Error e) {
            // Out of memory, most likely: the client is told to try again (a payment with the same
            // id is safe to repeat), instead of losing its connection with no answer at all.
            LOG.error("handler failed on {} {}", request.method(), request.path(), e);
            return handler.refused(503, "the server is short of resources; try again shortly");
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // Closing; the acceptor ends either way.
        }
        reaper.interrupt();
        connections.closeAll();
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
