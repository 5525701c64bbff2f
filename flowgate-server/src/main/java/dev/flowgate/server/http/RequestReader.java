package dev.flowgate.server.http;

import dev.flowgate.http.Ascii;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads HTTP/1.1 requests off one connection, enforcing {@link HttpLimits}: a request must arrive
 * whole within the request timeout, counted from its first byte (each read waits only for what is
 * left of it, so a byte every few seconds does not keep a thread forever), and framing is strict
 * (RFC 9112): lines end in CRLF, no bare CR or LF, no control characters in the target or in
 * header values, and an HTTP/1.1 request names its {@code Host} once. Owned by the connection's
 * thread.
 */
final class RequestReader {
    sealed interface Result {
        /** The client closed the connection between requests (or mid-request: nothing to answer). */
        record End() implements Result {
        }

        /** The request is unacceptable as sent; answer {@code status} and close. */
        record Refused(int status, String detail) implements Result {
        }

        record Request(HttpRequest request, boolean keepAlive) implements Result {
        }
    }

    /** Thrown inside the parser to unwind to {@link #next} with a refusal. */
    private static final class Refusal extends Exception {
        final int status;

        Refusal(int status, String detail) {
            super(detail, null, false, false);
            this.status = status;
        }
    }

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final int MAX_HEADERS = 100;
    /**
     * Header names handed out as these constants when a request spells them in any case, so the
     * common request allocates no name; any other name becomes a new lower-case string.
     */
    private static final String[] KNOWN_NAMES = {"host", "content-length", "content-type", "connection",
            "user-agent", "accept", "accept-encoding", "transfer-encoding", "expect", "authorization", "x-admin-token"};

    private final Socket socket;
    private final InputStream in;
    private final HttpLimits limits;
    private final InetAddress peer;
    /** When the request being read must be complete ({@link System#nanoTime()}), or 0 between requests. */
    private long deadlineNanos;
    /**
     * Holds the line being read whole: a line longer than the head's budget is refused before it
     * outgrows the buffer, so it is parsed where it lies, without copying it into a string first.
     */
    private final byte[] buffer;
    private int position;
    private int limit;
    /** The last line {@link #nextLine} found: {@code buffer[lineStart, lineEnd)}, without its CRLF. */
    private int lineStart;
    private int lineEnd;
    private int headerBudget;
    private boolean insideRequest;

    RequestReader(Socket socket, HttpLimits limits) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.peer = socket.getInetAddress();
        this.limits = limits;
        this.buffer = new byte[Math.max(8192, limits.maxHeaderBytes() + 1)];
    }

    /** True once the first byte of a request arrived and until it has been read whole. */
    boolean insideRequest() {
        return insideRequest;
    }

    /**
     * @throws SocketTimeoutException when the connection stayed idle too long, or (then
     *                                {@link #insideRequest()}) the request did not arrive in time
     */
    Result next(OutputStream out) throws IOException {
        insideRequest = false;
        // Bytes already buffered (a pipelined request) start the clock at once; else the first read does.
        deadlineNanos = position < limit ? System.nanoTime() + limits.requestTimeout().toNanos() : 0;
        headerBudget = limits.maxHeaderBytes();
        try {
            do {
                if (!nextLine()) {
                    return new Result.End();
                }
            } while (lineStart == lineEnd); // RFC 9112: ignore empty lines before a request
            insideRequest = true;
            Result result = readRequest(out);
            insideRequest = false;
            return result;
        } catch (Refusal refusal) {
            return new Result.Refused(refusal.status, refusal.getMessage());
        }
    }

    /** Parses the request line {@link #nextLine} found, then the rest of the request. */
    private Result readRequest(OutputStream out) throws IOException, Refusal {
        int start = lineStart;
        int end = lineEnd;
        int firstSpace = indexOf(' ', start, end);
        int lastSpace = Ascii.lastIndexOf(buffer, ' ', start, end);
        if (firstSpace <= start || lastSpace == firstSpace) {
            throw new Refusal(400, "malformed request line");
        }
        if (!isToken(start, firstSpace)) {
            throw new Refusal(400, "malformed method");
        }
        String method = method(start, firstSpace);
        boolean http11 = equalsAscii(lastSpace + 1, end, "HTTP/1.1");
        if (!http11 && !equalsAscii(lastSpace + 1, end, "HTTP/1.0")) {
            throw new Refusal(505, "only HTTP/1.1 and HTTP/1.0 are supported");
        }
        int targetStart = firstSpace + 1;
        if (buffer[targetStart] != '/' || indexOf(' ', targetStart, lastSpace) >= 0) {
            throw new Refusal(400, "the request target must be an absolute path");
        }
        if (hasControlCharacter(targetStart, lastSpace, false)) {
            throw new Refusal(400, "control characters in the request target");
        }
        int question = indexOf('?', targetStart, lastSpace);
        String path = latin1(targetStart, question < 0 ? lastSpace : question);
        String query = question < 0 ? null : latin1(question + 1, lastSpace);
        Map<String, String> headers = readHeaders();
        if (http11 && !headers.containsKey("host")) {
            throw new Refusal(400, "an HTTP/1.1 request needs a Host header");
        }
        if (headers.containsKey("transfer-encoding")) {
            throw new Refusal(411, "chunked or encoded bodies are not supported; send Content-Length");
        }
        int length = contentLength(headers.get("content-length"));
        if (length > limits.maxBodyBytes()) {
            throw new Refusal(413, "the body is larger than " + limits.maxBodyBytes() + " bytes");
        }
        if (length > 0 && "100-continue".equalsIgnoreCase(headers.get("expect"))) {
            out.write(CONTINUE);
            out.flush();
        }
        byte[] body = readBody(length);
        if (body == null) {
            return new Result.End();
        }
        String connection = headers.get("connection");
        boolean keepAlive = http11
                ? !"close".equalsIgnoreCase(connection)
                : "keep-alive".equalsIgnoreCase(connection);
        return new Result.Request(new HttpRequest(method, path, query, headers, body, peer), keepAlive);
    }

    private Map<String, String> readHeaders() throws IOException, Refusal {
        Map<String, String> headers = new HashMap<>();
        for (int count = 0; ; count++) {
            if (!nextLine()) {
                throw new Refusal(400, "the connection ended inside the headers");
            }
            if (lineStart == lineEnd) {
                return headers;
            }
            if (count == MAX_HEADERS) {
                throw new Refusal(431, "more than " + MAX_HEADERS + " headers");
            }
            int colon = indexOf(':', lineStart, lineEnd);
            if (colon <= lineStart || !isToken(lineStart, colon)) {
                throw new Refusal(400, "malformed header line");
            }
            String name = headerName(lineStart, colon);
            int valueStart = colon + 1;
            int valueEnd = lineEnd;
            while (valueStart < valueEnd && isOptionalWhitespace(buffer[valueStart])) {
                valueStart++;
            }
            while (valueEnd > valueStart && isOptionalWhitespace(buffer[valueEnd - 1])) {
                valueEnd--;
            }
            if (hasControlCharacter(valueStart, valueEnd, true)) {
                throw new Refusal(400, "control characters in the value of " + name);
            }
            String value = latin1(valueStart, valueEnd);
            String previous = headers.put(name, value);
            if (name.equals("content-length") && previous != null && !previous.equals(value)) {
                throw new Refusal(400, "conflicting Content-Length headers");
            }
            if (name.equals("host") && previous != null) {
                throw new Refusal(400, "more than one Host header");
            }
        }
    }

    private static int contentLength(String value) throws Refusal {
        if (value == null) {
            return 0;
        }
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new Refusal(400, "Content-Length must be a non-negative integer");
        }
        long length = Long.parseLong(value);
        return length > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) length;
    }

    /**
     * Finds the next line and leaves it in {@code buffer[lineStart, lineEnd)}; false at end of stream
     * before any byte of it. Lines end in CRLF: a bare LF, or a CR not followed by LF, is refused.
     */
    private boolean nextLine() throws IOException, Refusal {
        int scanned = position; // buffer[position, scanned) holds no LF
        while (true) {
            int newline = indexOf('\n', scanned, limit);
            if (newline >= 0) {
                int consumed = newline - position;
                if (consumed > headerBudget) {
                    throw new Refusal(431, "request line and headers exceed " + limits.maxHeaderBytes() + " bytes");
                }
                headerBudget -= consumed + 1;
                if (consumed == 0 || buffer[newline - 1] != '\r') {
                    throw new Refusal(400, "lines must end with CRLF; a bare LF is refused");
                }
                if (indexOf('\r', position, newline - 1) >= 0) {
                    throw new Refusal(400, "a bare CR inside a line");
                }
                lineStart = position;
                lineEnd = newline - 1;
                position = newline + 1;
                return true;
            }
            if (limit - position > headerBudget) {
                throw new Refusal(431, "request line and headers exceed " + limits.maxHeaderBytes() + " bytes");
            }
            if (position == limit || limit == buffer.length) {
                // The line's start moves to the front; the budget keeps the line shorter than the buffer.
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                limit -= position;
                position = 0;
            }
            scanned = limit;
            if (!fill()) {
                if (position == limit) {
                    return false;
                }
                throw new Refusal(400, "the connection ended inside a line");
            }
        }
    }

    private String method(int start, int end) {
        if (equalsAscii(start, end, "POST")) {
            return "POST";
        }
        if (equalsAscii(start, end, "GET")) {
            return "GET";
        }
        return latin1(start, end);
    }

    private String headerName(int start, int end) {
        for (String known : KNOWN_NAMES) {
            if (Ascii.equalsIgnoreCase(buffer, start, end, known)) {
                return known;
            }
        }
        return latin1(start, end).toLowerCase(Locale.ROOT);
    }

    private boolean equalsAscii(int start, int end, String s) {
        return Ascii.equals(buffer, start, end, s);
    }

    private String latin1(int start, int end) {
        return Ascii.latin1(buffer, start, end);
    }

    private int indexOf(char c, int from, int to) {
        return Ascii.indexOf(buffer, c, from, to);
    }

    /** The body, or null if the client closed the connection before sending all of it. */
    private byte[] readBody(int length) throws IOException {
        byte[] body = new byte[length];
        int filled = Math.min(limit - position, length);
        System.arraycopy(buffer, position, body, 0, filled);
        position += filled;
        while (filled < length) {
            armTimeout();
            int n = in.read(body, filled, length - filled);
            if (n < 0) {
                return null;
            }
            filled += n;
        }
        return body;
    }

    /** Reads more bytes after {@code limit}; false at end of stream. */
    private boolean fill() throws IOException {
        armTimeout();
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n <= 0) {
            return false;
        }
        if (deadlineNanos == 0) {
            deadlineNanos = System.nanoTime() + limits.requestTimeout().toNanos();
            insideRequest = true;
        }
        limit += n;
        return true;
    }

    /**
     * The next read waits for what is left of the request's time, or for the idle timeout between
     * requests. (Setting the timeout is a field write in the JDK's socket, no system call.)
     */
    private void armTimeout() throws IOException {
        if (deadlineNanos == 0) {
            socket.setSoTimeout((int) limits.idleTimeout().toMillis());
            return;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("the request did not arrive within " + limits.requestTimeout().toMillis() + " ms");
        }
        socket.setSoTimeout((int) Math.max(1, Math.min(left / 1_000_000, limits.idleTimeout().toMillis())));
    }

    /** Below 0x20, or DEL: never in a target or a header value (where a tab is allowed). */
    private boolean hasControlCharacter(int start, int end, boolean tabAllowed) {
        for (int i = start; i < end; i++) {
            int c = buffer[i] & 0xff;
            if ((c < 0x20 && !(tabAllowed && c == '\t')) || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static boolean isOptionalWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    private boolean isToken(int start, int end) {
        if (start == end) {
            return false;
        }
        for (int i = start; i < end; i++) {
            int c = buffer[i] & 0xff;
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
