package dev.flowgate.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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

    private final Socket socket;
    private final InputStream in;
    private final HttpLimits limits;
    private final InetAddress peer;
    /** When the request being read must be complete ({@link System#nanoTime()}), or 0 between requests. */
    private long deadlineNanos;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;
    private int headerBudget;
    private boolean insideRequest;

    RequestReader(Socket socket, HttpLimits limits) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.peer = socket.getInetAddress();
        this.limits = limits;
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
            String requestLine;
            do {
                requestLine = readLine();
                if (requestLine == null) {
                    return new Result.End();
                }
            } while (requestLine.isEmpty()); // RFC 9112: ignore empty lines before a request
            insideRequest = true;
            Result result = readRequest(requestLine, out);
            insideRequest = false;
            return result;
        } catch (Refusal refusal) {
            return new Result.Refused(refusal.status, refusal.getMessage());
        }
    }

    private Result readRequest(String requestLine, OutputStream out) throws IOException, Refusal {
        int firstSpace = requestLine.indexOf(' ');
        int lastSpace = requestLine.lastIndexOf(' ');
        if (firstSpace <= 0 || lastSpace == firstSpace) {
            throw new Refusal(400, "malformed request line");
        }
        String method = requestLine.substring(0, firstSpace);
        String target = requestLine.substring(firstSpace + 1, lastSpace);
        String version = requestLine.substring(lastSpace + 1);
        if (!isToken(method)) {
            throw new Refusal(400, "malformed method");
        }
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new Refusal(505, "only HTTP/1.1 and HTTP/1.0 are supported");
        }
        if (!target.startsWith("/") || target.indexOf(' ') >= 0) {
            throw new Refusal(400, "the request target must be an absolute path");
        }
        if (hasControlCharacter(target)) {
            throw new Refusal(400, "control characters in the request target");
        }
        Map<String, String> headers = readHeaders();
        if (version.equals("HTTP/1.1") && !headers.containsKey("host")) {
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
        int question = target.indexOf('?');
        String path = question < 0 ? target : target.substring(0, question);
        String query = question < 0 ? null : target.substring(question + 1);
        String connection = headers.get("connection");
        boolean keepAlive = version.equals("HTTP/1.1")
                ? !"close".equalsIgnoreCase(connection)
                : "keep-alive".equalsIgnoreCase(connection);
        return new Result.Request(new HttpRequest(method, path, query, headers, body, peer), keepAlive);
    }

    private Map<String, String> readHeaders() throws IOException, Refusal {
        Map<String, String> headers = new HashMap<>();
        for (int count = 0; ; count++) {
            String line = readLine();
            if (line == null) {
                throw new Refusal(400, "the connection ended inside the headers");
            }
            if (line.isEmpty()) {
                return headers;
            }
            if (count == MAX_HEADERS) {
                throw new Refusal(431, "more than " + MAX_HEADERS + " headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw new Refusal(400, "malformed header line");
            }
            String name = line.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (hasControlCharacter(value.replace('\t', ' '))) {
                throw new Refusal(400, "control characters in the value of " + name);
            }
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

    /** The next line without its line ending, or null at end of stream before any byte. */
    private String readLine() throws IOException, Refusal {
        StringBuilder line = null;
        while (true) {
            if (position == limit && !fill()) {
                if (line == null) {
                    return null;
                }
                throw new Refusal(400, "the connection ended inside a line");
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            int consumed = position - start;
            if (consumed > headerBudget) {
                throw new Refusal(431, "request line and headers exceed " + limits.maxHeaderBytes() + " bytes");
            }
            headerBudget -= consumed;
            if (line == null) {
                line = new StringBuilder(Math.max(consumed, 16));
            }
            line.append(new String(buffer, start, consumed, StandardCharsets.ISO_8859_1));
            if (position < limit) {
                position++; // the '\n'
                headerBudget--;
                int end = line.length();
                if (end == 0 || line.charAt(end - 1) != '\r') {
                    throw new Refusal(400, "lines must end with CRLF; a bare LF is refused");
                }
                line.setLength(end - 1);
                if (line.indexOf("\r") >= 0) {
                    throw new Refusal(400, "a bare CR inside a line");
                }
                return line.toString();
            }
        }
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

    private boolean fill() throws IOException {
        armTimeout();
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        if (deadlineNanos == 0) {
            deadlineNanos = System.nanoTime() + limits.requestTimeout().toNanos();
            insideRequest = true;
        }
        position = 0;
        limit = n;
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

    /** Below 0x20, or DEL: never in a target or a header value (a tab is checked for by the caller). */
    private static boolean hasControlCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
