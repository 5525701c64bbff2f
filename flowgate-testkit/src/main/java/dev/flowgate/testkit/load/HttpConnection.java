package dev.flowgate.testkit.load;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection over a plain blocking socket, used by one thread at a time:
 * write a request, read its status line, headers and body, repeat.
 *
 * <p>Deliberately minimal instead of {@code java.net.http.HttpClient}, whose own executor hand-offs
 * and pooling would be part of every measured latency. It understands what a server may answer to a
 * {@code POST}: Content-Length, chunked or close-delimited bodies, {@code Connection: close},
 * HTTP/1.0, and interim 1xx answers, which it skips. The body is read and discarded, unless a
 * caller hands it a stream for it.
 */
public final class HttpConnection implements Closeable {

    /**
     * The connection failed before any byte of the answer arrived, after an earlier exchange
     * succeeded on it: the server closed the idle keep-alive connection, and the request cannot
     * have been answered. Callers may send it again on a new connection.
     */
    public static final class StaleConnectionException extends IOException {

        StaleConnectionException(IOException cause) {
            super("the server closed the keep-alive connection: " + cause.getMessage(), cause);
        }
    }

    // A response head line (status line or header) longer than this is not one we can be talking to.
    private static final int BUFFER_SIZE = 16 * 1024;

    private static final long NANOS_PER_MILLI = 1_000_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Ticker ticker;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int position;
    private int limit;
    private boolean used;
    private boolean keepAlive = true;
    private boolean answerStarted;
    // Where the body of the answer goes during exchange(request, deadline, body); null: discarded.
    private OutputStream bodySink;

    private HttpConnection(Socket socket, Ticker ticker) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.ticker = ticker;
    }

    /** Connects, giving up after {@code timeout}. */
    public static HttpConnection open(InetSocketAddress address, Duration timeout, Ticker ticker) throws IOException {
        Socket socket = new Socket();
        try {
            // Without it, Nagle's algorithm meeting the server's delayed ACK can add 40 ms to a request.
            socket.setTcpNoDelay(true);
            socket.connect(address, Math.toIntExact(timeout.toMillis()));
            return new HttpConnection(socket, ticker);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Sends a complete request and reads the whole answer.
     *
     * @param deadlineNanos when the answer must be complete, on the connection's ticker
     * @return the status code of the final (non-1xx) answer
     * @throws SocketTimeoutException if the answer is not complete at the deadline
     * @throws StaleConnectionException see there
     * @throws IOException on any other failure; the connection is then unusable
     */
    public int exchange(byte[] request, long deadlineNanos) throws IOException {
        answerStarted = false;
        try {
            out.write(request);
            int status = readAnswer(deadlineNanos);
            used = true;
            return status;
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            if (used && !answerStarted) {
                throw new StaleConnectionException(e);
            }
            throw e;
        }
    }

    /**
     * Like {@link #exchange(byte[], long)}, and writes the body of the final answer (de-chunked) to
     * {@code body}; for the few calls that need to read what the server said, such as a summary.
     */
    public int exchange(byte[] request, long deadlineNanos, OutputStream body) throws IOException {
        bodySink = body;
        try {
            return exchange(request, deadlineNanos);
        } finally {
            bodySink = null;
        }
    }

    /** False once the server said (or implied, by HTTP/1.0 or a close-delimited body) it will close. */
    public boolean keepAlive() {
        return keepAlive;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private int readAnswer(long deadlineNanos) throws IOException {
        while (true) {
            String statusLine = readLine(deadlineNanos);
            int status = parseStatus(statusLine);
            boolean http10 = statusLine.startsWith("HTTP/1.0");
            long contentLength = -1;
            boolean chunked = false;
            String connection = "";
            for (String line = readLine(deadlineNanos); !line.isEmpty(); line = readLine(deadlineNanos)) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed response header: " + line);
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    contentLength = parseContentLength(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    connection = value.toLowerCase(Locale.ROOT);
                }
            }
            if (status < 200) {
                continue;
            }
            keepAlive = http10 ? connection.contains("keep-alive") : !connection.contains("close");
            if (status == 204 || status == 304) {
                return status;
            }
            if (chunked) {
                skipChunkedBody(deadlineNanos);
            } else if (contentLength >= 0) {
                skip(contentLength, deadlineNanos);
            } else {
                skipToEndOfStream(deadlineNanos);
                keepAlive = false;
            }
            return status;
        }
    }

    private static int parseStatus(String statusLine) throws IOException {
        // "HTTP/1.1 202 Accepted": the code is always the three characters at 9..11.
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12
                || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
            throw new IOException("malformed status line: " + statusLine);
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char digit = statusLine.charAt(i);
            if (digit < '0' || digit > '9') {
                throw new IOException("malformed status line: " + statusLine);
            }
            status = status * 10 + (digit - '0');
        }
        if (status < 100) {
            throw new IOException("malformed status line: " + statusLine);
        }
        return status;
    }

    private static long parseContentLength(String value) throws IOException {
        try {
            long length = Long.parseLong(value);
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException e) {
            // reported below, with the offending value
        }
        throw new IOException("malformed Content-Length: " + value);
    }

    private void skipChunkedBody(long deadlineNanos) throws IOException {
        while (true) {
            String sizeLine = readLine(deadlineNanos);
            int extension = sizeLine.indexOf(';');
            String size = (extension >= 0 ? sizeLine.substring(0, extension) : sizeLine).trim();
            long chunkSize;
            try {
                chunkSize = Long.parseLong(size, 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size: " + sizeLine);
            }
            if (chunkSize < 0) {
                throw new IOException("malformed chunk size: " + sizeLine);
            }
            if (chunkSize == 0) {
                // Trailer fields, if any, up to the empty line that ends the message.
                while (!readLine(deadlineNanos).isEmpty()) {
                    // ignored
                }
                return;
            }
            skip(chunkSize, deadlineNanos);
            if (!readLine(deadlineNanos).isEmpty()) {
                throw new IOException("malformed chunked body: no CRLF after a chunk");
            }
        }
    }

    private void skip(long length, long deadlineNanos) throws IOException {
        long remaining = length;
        while (remaining > 0) {
            if (position == limit) {
                position = 0;
                limit = 0;
                fill(deadlineNanos);
            }
            int taken = (int) Math.min(remaining, limit - position);
            keepBody(taken);
            position += taken;
            remaining -= taken;
        }
    }

    private void skipToEndOfStream(long deadlineNanos) throws IOException {
        do {
            keepBody(limit - position);
            position = 0;
            limit = 0;
        } while (fillOrEndOfStream(deadlineNanos));
    }

    /** Hands the next {@code length} buffered bytes to the body sink, if there is one. */
    private void keepBody(int length) throws IOException {
        if (bodySink != null && length > 0) {
            bodySink.write(buffer, position, length);
        }
    }

    /** The next line up to LF, without its CR LF, read as ISO-8859-1 like HTTP header bytes. */
    private String readLine(long deadlineNanos) throws IOException {
        int scanned = position;
        while (true) {
            for (int i = scanned; i < limit; i++) {
                if (buffer[i] == '\n') {
                    int end = i > position && buffer[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(buffer, position, end - position, StandardCharsets.ISO_8859_1);
                    position = i + 1;
                    return line;
                }
            }
            if (position > 0) {
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                position = 0;
            }
            if (limit == buffer.length) {
                throw new IOException("response line longer than " + buffer.length + " bytes");
            }
            scanned = limit;
            fill(deadlineNanos);
        }
    }

    private void fill(long deadlineNanos) throws IOException {
        if (!fillOrEndOfStream(deadlineNanos)) {
            throw new EOFException("the server closed the connection before the end of the response");
        }
    }

    /** Reads more bytes after {@code limit}; false at the end of the stream. */
    private boolean fillOrEndOfStream(long deadlineNanos) throws IOException {
        // The timeout is per request, not per read: a server trickling bytes must not stretch it.
        long remainingNanos = deadlineNanos - ticker.read();
        if (remainingNanos <= 0) {
            throw new SocketTimeoutException("response not complete within the timeout");
        }
        long remainingMillis = Math.ceilDiv(remainingNanos, NANOS_PER_MILLI);
        socket.setSoTimeout((int) Math.min(remainingMillis, Integer.MAX_VALUE));
        int read = in.read(buffer, limit, buffer.length - limit);
        if (read < 0) {
            return false;
        }
        answerStarted = true;
        limit += read;
        return true;
    }
}
