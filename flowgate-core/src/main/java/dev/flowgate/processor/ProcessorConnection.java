package dev.flowgate.processor;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One keep-alive HTTP/1.1 connection to a processor over a blocking socket, used by one virtual
 * thread at a time. Understands what a processor answers: Content-Length or chunked bodies,
 * {@code Connection: close}, and 1xx interim answers (skipped).
 *
 * <p>Why not {@code java.net.http.HttpClient}: at 600 payments/s on 2 cores its selector thread
 * and the platform threads of its executor (a dozen, one hand-off per response) took about 18 % of
 * a core between them (top -H), threads that compete with the virtual threads' carriers for the
 * cores. Here the call runs on the worker's own virtual thread and parks only in the socket read.
 */
final class ProcessorConnection implements Closeable {
    /** Thrown when the connection could not be established: nothing was sent. */
    static final class ConnectFailedException extends IOException {
        ConnectFailedException(String message, IOException cause) {
            super(message, cause);
        }
    }

    private static final int MAX_HEAD_LINE = 8 * 1024;
    private static final int MAX_BODY = 1024 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[8 * 1024];
    private int position;
    private int limit;
    private boolean reusable = true;
    private long idleSinceNanos;

    private ProcessorConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static ProcessorConnection open(String host, int port, boolean tls, int connectTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
        } catch (IOException e) {
            socket.close();
            throw new ConnectFailedException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
        if (tls) {
            socket = handshake(socket, host, port, connectTimeoutMillis);
        }
        return new ProcessorConnection(socket);
    }

    /**
     * TLS with the certificate checked against the host name, which a plain {@code SSLSocket} does
     * not do; before anything is sent, so a failure here is one to connect.
     */
    private static Socket handshake(Socket plain, String host, int port, int connectTimeoutMillis) throws IOException {
        SSLSocket tls = null;
        try {
            tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, host, port, true);
            tls.setSoTimeout(connectTimeoutMillis); // a processor that stalls the handshake must not hold a worker
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            return tls;
        } catch (IOException e) {
            (tls != null ? tls : plain).close();
            throw new ConnectFailedException("TLS with " + host + ":" + port + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the request and reads the whole answer.
     *
     * @param deadlineNanos {@link System#nanoTime()} by which the answer must be complete
     * @throws SocketTimeoutException if it is not
     */
    RawResponse exchange(byte[] request, long deadlineNanos) throws IOException {
        out.write(request);
        out.flush();
        while (true) {
            String statusLine = readLine(deadlineNanos);
            int status = parseStatus(statusLine);
            int contentLength = -1;
            boolean chunked = false;
            String retryAfter = null;
            for (String line = readLine(deadlineNanos); !line.isEmpty(); line = readLine(deadlineNanos)) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed header from processor");
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> contentLength = parseLength(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> reusable &= !value.equalsIgnoreCase("close");
                    case "retry-after" -> retryAfter = value;
                    default -> { }
                }
            }
            if (status >= 100 && status < 200) {
                continue; // interim answer; the final one follows
            }
            if (statusLine.startsWith("HTTP/1.0")) {
                reusable = false;
            }
            byte[] body = chunked ? readChunked(deadlineNanos)
                    : contentLength >= 0 ? readExactly(contentLength, deadlineNanos)
                    : readToEnd(deadlineNanos);
            return new RawResponse(status, retryAfter, body);
        }
    }

    boolean reusable() {
        return reusable;
    }

    void markIdle(long nowNanos) {
        idleSinceNanos = nowNanos;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    private static int parseStatus(String statusLine) throws IOException {
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new IOException("malformed status line from processor");
        }
        try {
            return Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("malformed status code from processor");
        }
    }

    private static int parseLength(String value) throws IOException {
        try {
            int length = Integer.parseInt(value);
            if (length < 0 || length > MAX_BODY) {
                throw new IOException("processor answered an unacceptable Content-Length: " + value);
            }
            return length;
        } catch (NumberFormatException e) {
            throw new IOException("processor answered a malformed Content-Length");
        }
    }

    private byte[] readChunked(long deadlineNanos) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(deadlineNanos);
            int semicolon = sizeLine.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size from processor");
            }
            if (size < 0 || body.size() + size > MAX_BODY) {
                throw new IOException("processor's chunked body is too large");
            }
            if (size == 0) {
                while (!readLine(deadlineNanos).isEmpty()) {
                    // trailers: ignored
                }
                return body.toByteArray();
            }
            body.write(readExactly(size, deadlineNanos));
            readLine(deadlineNanos); // the CRLF after the chunk
        }
    }

    private byte[] readExactly(int length, long deadlineNanos) throws IOException {
        byte[] bytes = new byte[length];
        int filled = 0;
        while (filled < length) {
            if (position == limit) {
                fill(deadlineNanos);
            }
            int n = Math.min(limit - position, length - filled);
            System.arraycopy(buffer, position, bytes, filled, n);
            position += n;
            filled += n;
        }
        return bytes;
    }

    private byte[] readToEnd(long deadlineNanos) throws IOException {
        reusable = false;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            if (position == limit) {
                try {
                    fill(deadlineNanos);
                } catch (EOFException end) {
                    return body.toByteArray();
                }
            }
            body.write(buffer, position, limit - position);
            position = limit;
            if (body.size() > MAX_BODY) {
                throw new IOException("processor's body is too large");
            }
        }
    }

    private String readLine(long deadlineNanos) throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            if (position == limit) {
                fill(deadlineNanos);
            }
            byte b = buffer[position++];
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() == MAX_HEAD_LINE) {
                throw new IOException("processor sent an overlong header line");
            }
            line.append((char) (b & 0xff));
        }
    }

    private void fill(long deadlineNanos) throws IOException {
        long remainingMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (remainingMillis <= 0) {
            throw new SocketTimeoutException("no complete answer before the deadline");
        }
        socket.setSoTimeout((int) Math.min(remainingMillis, Integer.MAX_VALUE));
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
            reusable = false;
            throw new EOFException("the processor closed the connection");
        }
        position = 0;
        limit = n;
    }

    @Override
    public void close() {
        reusable = false;
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a connection we no longer want; nothing to do about a failure.
        }
    }
}
