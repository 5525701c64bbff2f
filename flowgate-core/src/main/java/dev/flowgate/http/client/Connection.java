package dev.flowgate.http.client;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One keep-alive HTTP/1.1 connection over a blocking socket, used by one virtual thread at a time.
 * Understands what servers answer: Content-Length, chunked or close-delimited bodies,
 * {@code Connection: close}, HTTP/1.0, and 1xx interim answers (skipped).
 *
 * <p>Why not {@code java.net.http.HttpClient}: at 600 payments/s on 2 cores its selector thread
 * and the platform threads of its executor (a dozen, one hand-off per response) took about 18 % of
 * a core between them (top -H), threads that compete with the virtual threads' carriers for the
 * cores. Here the call runs on the caller's own virtual thread and parks only in the socket read.
 */
final class Connection implements Closeable {
    private static final int MAX_HEAD_LINE = 8 * 1024;
    private static final int MAX_BODY = 8 * 1024 * 1024; // a Stripe list page of 100 objects is well under 1 MB
    private static final int MAX_HEADERS = 100;
    private static final byte[] NO_BODY = new byte[0];

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
    private int exchanges;
    /** Whether a byte of the current exchange's answer has arrived. */
    private boolean answerStarted;

    private Connection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static Connection open(Origin origin, int connectTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(origin.host(), origin.port()), connectTimeoutMillis);
        } catch (IOException e) {
            socket.close();
            throw new ConnectFailedException("cannot connect to " + origin.host() + ":" + origin.port()
                    + ": " + e.getMessage(), e);
        }
        if (origin.tls()) {
            socket = handshake(socket, origin.host(), origin.port(), connectTimeoutMillis);
        }
        return new Connection(socket);
    }

    /**
     * TLS with the certificate checked against the host name, which a plain {@code SSLSocket} does
     * not do; before anything is sent, so a failure here is one to connect.
     */
    private static Socket handshake(Socket plain, String host, int port, int connectTimeoutMillis) throws IOException {
        SSLSocket tls = null;
        try {
            tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, host, port, true);
            tls.setSoTimeout(connectTimeoutMillis); // a server that stalls the handshake must not hold its caller
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
    HttpResponse exchange(byte[] request, boolean head, long deadlineNanos) throws IOException {
        answerStarted = false;
        out.write(request);
        out.flush();
        while (true) {
            nextLine(deadlineNanos);
            int status = parseStatus();
            boolean http10 = buffer[lineStart + 7] == '0';
            int contentLength = -1;
            String transferEncoding = null;
            List<HttpHeader> headers = new ArrayList<>(8);
            for (nextLine(deadlineNanos); lineStart != lineEnd; nextLine(deadlineNanos)) {
                if (headers.size() == MAX_HEADERS) {
                    throw new IOException("the server sent more than " + MAX_HEADERS + " headers");
                }
                int colon = Ascii.indexOf(buffer, ':', lineStart, lineEnd);
                if (colon <= lineStart) {
                    throw new IOException("malformed header from the server");
                }
                int nameEnd = trimEnd(lineStart, colon);
                int valueStart = trimStart(colon + 1, lineEnd);
                int valueEnd = trimEnd(valueStart, lineEnd);
                if (is(lineStart, nameEnd, "content-length")) {
                    int length = parseLength(valueStart, valueEnd);
                    if (contentLength >= 0 && contentLength != length) {
                        throw new IOException("the server answered two different Content-Lengths");
                    }
                    contentLength = length;
                } else if (is(lineStart, nameEnd, "transfer-encoding")) {
                    String codings = latin1(valueStart, valueEnd).toLowerCase(Locale.ROOT);
                    transferEncoding = transferEncoding == null ? codings : transferEncoding + "," + codings;
                } else if (is(lineStart, nameEnd, "connection") && hasToken(valueStart, valueEnd, "close")) {
                    reusable = false;
                }
                headers.add(header(lineStart, nameEnd, valueStart, valueEnd));
            }
            if (status >= 100 && status < 200) {
                continue; // interim answer; the final one follows
            }
            if (http10) {
                reusable = false;
            }
            // RFC 9112, 6.3: a HEAD answer, a 204 and a 304 have no body whatever their headers say;
            // Transfer-Encoding overrides Content-Length, and a body whose last coding is not chunked
            // ends when the server closes.
            byte[] body = head || status == 204 || status == 304 ? NO_BODY
                    : transferEncoding != null && lastCodingIsChunked(transferEncoding) ? readChunked(deadlineNanos)
                    : transferEncoding == null && contentLength >= 0 ? readExactly(contentLength, deadlineNanos)
                    : readToEnd(deadlineNanos);
            exchanges++;
            return new HttpResponse(status, headers, body);
        }
    }

    /**
     * Whether another exchange may follow: the server did not ask to close, and sent nothing beyond
     * the answer (bytes after it would be read as the next answer's start).
     */
    boolean reusable() {
        return reusable && position == limit;
    }

    /**
     * Whether the last exchange failed the way a kept-alive connection that the server had already
     * closed fails: reused, and not a byte of the answer back. Only then may an idempotent request
     * be sent again on a fresh connection.
     */
    boolean wasStale() {
        return exchanges > 0 && !answerStarted;
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
            throw new IOException("malformed status line from the server");
        }
        int status = 0;
        for (int i = lineStart + 9; i < lineStart + 12; i++) {
            int digit = buffer[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new IOException("malformed status code from the server");
            }
            status = status * 10 + digit;
        }
        return status;
    }

    private int parseLength(int start, int end) throws IOException {
        if (start == end || end - start > 8) {
            throw new IOException("the server answered an unacceptable Content-Length: " + latin1(start, end));
        }
        int length = 0;
        for (int i = start; i < end; i++) {
            int digit = buffer[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new IOException("the server answered a malformed Content-Length");
            }
            length = length * 10 + digit;
        }
        if (length > MAX_BODY) {
            throw new IOException("the server answered an unacceptable Content-Length: " + length);
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
                throw new IOException("malformed chunk size from the server");
            }
            if (size < 0 || size > MAX_BODY - body.size()) { // not body.size() + size: it can overflow
                throw new IOException("the server's chunked body is too large");
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
                throw new IOException("the server's body is too large");
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
            if (newline - position > MAX_HEAD_LINE) {
                throw new IOException("the server sent an overlong header line");
            }
            if (newline >= 0) {
                lineStart = position;
                lineEnd = newline > position && buffer[newline - 1] == '\r' ? newline - 1 : newline;
                position = newline + 1;
                return;
            }
            if (limit - position >= MAX_HEAD_LINE) {
                throw new IOException("the server sent an overlong header line");
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
            throw new EOFException("the server closed the connection");
        }
        limit += n;
        answerStarted = true;
    }

    private static boolean lastCodingIsChunked(String codings) {
        int comma = codings.lastIndexOf(',');
        return codings.substring(comma + 1).strip().equals("chunked");
    }

    /** Whether the comma-separated list {@code buffer[start, end)} holds {@code lowerCase} as one of its tokens. */
    private boolean hasToken(int start, int end, String lowerCase) {
        int tokenStart = start;
        for (int i = start; i <= end; i++) {
            if (i == end || buffer[i] == ',') {
                int tokenBegin = trimStart(tokenStart, i);
                if (is(tokenBegin, trimEnd(tokenBegin, i), lowerCase)) {
                    return true;
                }
                tokenStart = i + 1;
            }
        }
        return false;
    }

    /** A header as it came; a value that is not ASCII is kept as Latin-1, which loses nothing. */
    private HttpHeader header(int nameStart, int nameEnd, int valueStart, int valueEnd) throws IOException {
        try {
            return new HttpHeader(latin1(nameStart, nameEnd), latin1(valueStart, valueEnd));
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed header from the server: " + e.getMessage());
        }
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
