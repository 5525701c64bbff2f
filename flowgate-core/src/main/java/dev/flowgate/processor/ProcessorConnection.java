package dev.flowgate.processor;

import dev.flowgate.http.Ascii;
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
    private final byte[] buffer = new byte[MAX_HEAD_LINE + 1024];
    private int position;
    private int limit;
    /** The last line {@link #nextLine} found: {@code buffer[lineStart, lineEnd)}, without its line ending. */
    private int lineStart;
    private int lineEnd;
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
            nextLine(deadlineNanos);
            int status = parseStatus();
            boolean http10 = buffer[lineStart + 7] == '0';
            int contentLength = -1;
            boolean chunked = false;
            String retryAfter = null;
            for (nextLine(deadlineNanos); lineStart != lineEnd; nextLine(deadlineNanos)) {
                int colon = Ascii.indexOf(buffer, ':', lineStart, lineEnd);
                if (colon <= lineStart) {
                    throw new IOException("malformed header from processor");
                }
                int nameEnd = trimEnd(lineStart, colon);
                int valueStart = trimStart(colon + 1, lineEnd);
                int valueEnd = trimEnd(valueStart, lineEnd);
                if (is(lineStart, nameEnd, "content-length")) {
                    contentLength = parseLength(valueStart, valueEnd);
                } else if (is(lineStart, nameEnd, "transfer-encoding")) {
                    chunked = latin1(valueStart, valueEnd).toLowerCase(Locale.ROOT).contains("chunked");
                } else if (is(lineStart, nameEnd, "connection")) {
                    reusable &= !is(valueStart, valueEnd, "close");
                } else if (is(lineStart, nameEnd, "retry-after")) {
                    retryAfter = latin1(valueStart, valueEnd);
                }
            }
            if (status >= 100 && status < 200) {
                continue; // interim answer; the final one follows
            }
            if (http10) {
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

    /** The status code of the status line {@link #nextLine} found. */
    private int parseStatus() throws IOException {
        if (lineEnd - lineStart < 12 || !is(lineStart, lineStart + 7, "http/1.") || buffer[lineStart + 8] != ' ') {
            throw new IOException("malformed status line from processor");
        }
        int status = 0;
        for (int i = lineStart + 9; i < lineStart + 12; i++) {
            int digit = buffer[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new IOException("malformed status code from processor");
            }
            status = status * 10 + digit;
        }
        return status;
    }

    private int parseLength(int start, int end) throws IOException {
        if (start == end || end - start > 7) {
            throw new IOException("processor answered an unacceptable Content-Length: " + latin1(start, end));
        }
        int length = 0;
        for (int i = start; i < end; i++) {
            int digit = buffer[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new IOException("processor answered a malformed Content-Length");
            }
            length = length * 10 + digit;
        }
        if (length > MAX_BODY) {
            throw new IOException("processor answered an unacceptable Content-Length: " + length);
        }
        return length;
    }

    private byte[] readChunked(long deadlineNanos) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            nextLine(deadlineNanos);
            String sizeLine = latin1(lineStart, lineEnd);
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
                do {
                    nextLine(deadlineNanos); // trailers: ignored
                } while (lineStart != lineEnd);
                return body.toByteArray();
            }
            body.write(readExactly(size, deadlineNanos));
            nextLine(deadlineNanos); // the CRLF after the chunk
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

    /**
     * Finds the next line of the answer's head and leaves it in {@code buffer[lineStart, lineEnd)},
     * without its line ending (CRLF, or a bare LF from a lenient server); parsed where it lies.
     */
    private void nextLine(long deadlineNanos) throws IOException {
        int scanned = position; // buffer[position, scanned) holds no LF
        while (true) {
            int newline = Ascii.indexOf(buffer, '\n', scanned, limit);
            if (newline >= 0) {
                lineStart = position;
                lineEnd = newline > position && buffer[newline - 1] == '\r' ? newline - 1 : newline;
                position = newline + 1;
                return;
            }
            if (limit - position >= MAX_HEAD_LINE) {
                throw new IOException("processor sent an overlong header line");
            }
            if (position > 0) { // the line's start moves to the front, so it lies whole in the buffer
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                position = 0;
            }
            scanned = limit;
            fill(deadlineNanos);
        }
    }

    /** Reads more bytes after {@code limit}, starting over at the front once everything was consumed. */
    private void fill(long deadlineNanos) throws IOException {
        if (position == limit) {
            position = 0;
            limit = 0;
        }
        long remainingMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (remainingMillis <= 0) {
            throw new SocketTimeoutException("no complete answer before the deadline");
        }
        socket.setSoTimeout((int) Math.min(remainingMillis, Integer.MAX_VALUE));
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
            reusable = false;
            throw new EOFException("the processor closed the connection");
        }
        limit += n;
    }

    private boolean is(int start, int end, String lowerCase) {
        return Ascii.equalsIgnoreCase(buffer, start, end, lowerCase);
    }

    private int trimStart(int start, int end) {
        while (start < end && (buffer[start] == ' ' || buffer[start] == '\t')) {
            start++;
        }
        return start;
    }

    private int trimEnd(int start, int end) {
        while (end > start && (buffer[end - 1] == ' ' || buffer[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    private String latin1(int start, int end) {
        return Ascii.latin1(buffer, start, end);
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
