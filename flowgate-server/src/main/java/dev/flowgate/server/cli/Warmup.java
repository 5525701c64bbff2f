package dev.flowgate.server.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sends the server requests of every kind over loopback for a moment after it starts, so the JIT
 * has compiled the request path before the first real client arrives.
 *
 * <p>Why: even a server that does nothing spends its first minute at about 3 ms p99 while the JIT
 * works (shared/reference/latency-floor.md). The warm-up touches no data: payments it sends are
 * invalid (answered 400 after the full parse), and the summary and health reads only read.
 */
final class Warmup {
    private static final int CONNECTIONS = 4;
    private static final byte[][] REQUESTS = {
            request("POST /payments", "{\"correlationId\":\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\",\"amount\":0}"),
            request("POST /payments", "{\"correlationId\":\"not-a-uuid\",\"amount\":19.90}"),
            request("GET /payments-summary?from=2000-01-01T00:00:00.000Z&to=2000-01-01T00:00:01.000Z", null),
            request("GET /payments-summary", null),
            request("GET /health", null),
    };

    private Warmup() {
    }

    /** Runs for {@code duration}; failures end the warm-up early and are otherwise ignored. */
    static long run(int port, Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        long[] counts = new long[CONNECTIONS];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            int slot = i;
            threads.add(Thread.ofVirtual().start(() -> counts[slot] = drive(port, deadline, slot)));
        }
        long total = 0;
        for (int i = 0; i < CONNECTIONS; i++) {
            threads.get(i).join();
            total += counts[i];
        }
        return total;
    }

    private static long drive(int port, long deadline, int offset) {
        long sent = 0;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            while (System.nanoTime() < deadline) {
                out.write(REQUESTS[(int) ((sent + offset) % REQUESTS.length)]);
                out.flush();
                skipResponse(in);
                sent++;
            }
        } catch (IOException e) {
            // A warm-up that cannot talk to its own server just ends; the server itself is fine.
        }
        return sent;
    }

    private static void skipResponse(InputStream in) throws IOException {
        int contentLength = 0;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                contentLength = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(contentLength);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static byte[] request(String methodAndTarget, String body) {
        String head = methodAndTarget + " HTTP/1.1\r\nHost: warmup\r\n";
        String text = body == null ? head + "\r\n"
                : head + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
