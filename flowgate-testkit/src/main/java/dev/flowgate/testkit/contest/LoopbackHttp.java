package dev.flowgate.testkit.contest;

import dev.flowgate.testkit.load.HttpConnection;
import dev.flowgate.testkit.load.LoopbackTarget;
import dev.flowgate.testkit.load.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP server on this machine (the backend or a processor) and the occasional request to it:
 * summaries, admin calls, purges. Each call opens its own connection and closes it; they are a few
 * per second at most, and a fresh connection cannot be one the server has half-closed meanwhile.
 * The payments themselves go over the virtual users' keep-alive connections instead.
 *
 * <p>Only loopback: {@link LoopbackTarget} resolves the host once and refuses anything else.
 */
final class LoopbackHttp {

    /** What a call got back: the status and the whole body. */
    record Answer(int status, byte[] body) {

        boolean ok() {
            return status >= 200 && status < 300;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    // Summaries and admin answers are a few hundred bytes; a server sending more is not one of ours.
    private static final int MAX_BODY_BYTES = 256 * 1024;
    private static final String PAYMENTS = "/payments";

    private final URI base;
    private final LoopbackTarget target;
    private final String basePath;
    private final Ticker ticker;

    /**
     * @throws IllegalArgumentException if {@code base} is not a plain http URI of a host that
     *     resolves to loopback addresses only
     */
    LoopbackHttp(URI base, Ticker ticker) {
        Objects.requireNonNull(base, "base");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (!"http".equalsIgnoreCase(base.getScheme()) || base.getHost() == null || base.getHost().isEmpty()) {
            throw new IllegalArgumentException("not a plain http:// URL with a host: " + base);
        }
        if (base.getRawQuery() != null || base.getRawFragment() != null) {
            throw new IllegalArgumentException("a base URL takes no query or fragment: " + base);
        }
        this.base = base;
        this.target = LoopbackTarget.resolve(base);
        // LoopbackTarget names the payments endpoint under the base path; every other call needs the base.
        String paymentsPath = target.path();
        this.basePath = paymentsPath.substring(0, paymentsPath.length() - PAYMENTS.length());
    }

    URI base() {
        return base;
    }

    InetSocketAddress address() {
        return target.address();
    }

    Ticker ticker() {
        return ticker;
    }

    /** The bytes of a request to {@code pathAndQuery} under the base path, ready for the wire. */
    byte[] render(String method, String pathAndQuery, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(256)
                .append(method).append(' ').append(basePath).append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(target.hostHeader()).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body.length > 0 || !method.equals("GET")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    /**
     * Sends one request on a new connection and reads the whole answer.
     *
     * @param timeout for everything, from connecting to the last byte of the body
     * @throws java.net.SocketTimeoutException if the answer is not complete in time
     * @throws IOException if the server cannot be reached or answers something that is not HTTP
     */
    Answer call(String method, String pathAndQuery, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        long deadline = ticker.read() + timeout.toNanos();
        byte[] request = render(method, pathAndQuery, headers, body);
        BoundedBody answer = new BoundedBody();
        try (HttpConnection connection = HttpConnection.open(target.address(), timeout, ticker)) {
            int status = connection.exchange(request, deadline, answer);
            return new Answer(status, answer.bytes());
        }
    }

    /** Collects a body, refusing one larger than any answer this tool expects. */
    private static final class BoundedBody extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (bytes.size() + len > MAX_BODY_BYTES) {
                throw new IOException("answer body larger than " + MAX_BODY_BYTES + " bytes");
            }
            bytes.write(b, off, len);
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
