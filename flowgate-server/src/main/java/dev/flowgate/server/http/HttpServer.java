package dev.flowgate.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * A connection thread spends its life blocked in a read, so its cost is its stack: 256 KiB.
 *
 * <p>Everything a client sends is bounded by {@link HttpLimits}; a request the server cannot parse
 * is answered through {@link HttpHandler#refused} and the connection is closed.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    private static final int LINGER_MILLIS = 1000;
    private static final int LINGER_MAX_BYTES = 256 * 1024;
    /** Open connections at most; the contest needs ~600, and each costs a thread. */
    static final int MAX_CONNECTIONS = 4096;

    private final ServerSocket serverSocket;
    private final HttpHandler handler;
    private final HttpLimits limits;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private HttpServer(ServerSocket serverSocket, HttpHandler handler, HttpLimits limits) {
        this.serverSocket = serverSocket;
        this.handler = handler;
        this.limits = limits;
        this.acceptor = Thread.ofVirtual().name("http-acceptor").start(this::acceptLoop);
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
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("accept failed: {}", e.toString());
                }
                continue;
            }
            if (connections.size() >= MAX_CONNECTIONS) {
                closeQuietly(socket); // a flood of connections must not exhaust threads for everyone
                continue;
            }
            connections.add(socket);
            try {
                Thread.ofPlatform().name("http-connection").stackSize(256 * 1024).start(() -> serve(socket));
            } catch (RuntimeException | OutOfMemoryError e) {
                // No thread to be had (the OS limit): refuse this one, keep accepting the next.
                LOG.warn("cannot start a connection thread: {}", e.toString());
                connections.remove(socket);
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) limits.readTimeout().toMillis());
            RequestReader reader = new RequestReader(socket.getInputStream(), limits, socket.getInetAddress());
            OutputStream out = socket.getOutputStream();
            boolean keepAlive = true;
            while (keepAlive && !closed) {
                RequestReader.Result result;
                try {
                    result = reader.next(out);
                } catch (SocketTimeoutException e) {
                    // Idle between requests is normal; silence inside one is answered.
                    if (reader.insideRequest()) {
                        ResponseWriter.write(out, handler.refused(408, "the request was not completed in time"), false);
                    }
                    return;
                }
                switch (result) {
                    case RequestReader.Result.End end -> {
                        return;
                    }
                    case RequestReader.Result.Refused refused -> {
                        ResponseWriter.write(out, handler.refused(refused.status(), refused.detail()), false);
                        lingeringClose(socket);
                        return;
                    }
                    case RequestReader.Result.Request request -> {
                        keepAlive = request.keepAlive();
                        ResponseWriter.write(out, dispatch(request.request()), keepAlive);
                    }
                }
            }
        } catch (SocketException e) {
            // The peer reset or we are closing: nothing to answer.
        } catch (IOException e) {
            LOG.debug("connection ended: {}", e.toString());
        } finally {
            connections.remove(socket);
        }
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
        connections.forEach(HttpServer::closeQuietly);
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
