package dev.flowgate.testkit.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A misbehaving server on a bare socket, for what {@code HttpServer} will not do: close connections
 * after a few answers, with or without saying so, or never answer at all.
 */
final class RawHttpServer implements AutoCloseable {

    private final ServerSocket listener;
    private final int answersPerConnection;
    private final boolean announceClose;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();

    /**
     * @param answersPerConnection answers before closing a connection; 0 reads requests but never answers
     * @param announceClose whether the last answer on a connection carries {@code Connection: close}
     */
    RawHttpServer(int answersPerConnection, boolean announceClose) throws IOException {
        this.answersPerConnection = answersPerConnection;
        this.announceClose = announceClose;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    long answered() {
        return answered.get();
    }

    long connections() {
        return connections.get();
    }

    /**
     * Connections accepted once {@code expected} have been, or after a second: the client may see
     * its connection established a moment before this server's accept loop counts it.
     */
    long connectionsOnceAtLeast(long expected) throws InterruptedException {
        for (int i = 0; i < 100 && connections.get() < expected; i++) {
            Thread.sleep(10);
        }
        return connections.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (int n = 1; answersPerConnection == 0 || n <= answersPerConnection; n++) {
                if (!readRequest(in)) {
                    return;
                }
                if (answersPerConnection == 0) {
                    continue;
                }
                boolean last = n == answersPerConnection;
                String close = last && announceClose ? "Connection: close\r\n" : "";
                // Counted before it is sent, so a client that has the answer always finds it counted.
                answered.incrementAndGet();
                out.write(("HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n" + close + "\r\n{}")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away; nothing to serve
        }
    }

    /** Reads one request, head and body; false if the client closed the connection. */
    private static boolean readRequest(InputStream in) throws IOException {
        int contentLength = 0;
        for (String line = readLine(in); line != null; line = readLine(in)) {
            if (line.isEmpty()) {
                in.readNBytes(contentLength);
                return true;
            }
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return false;
    }

    private static String readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
