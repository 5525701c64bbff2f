package dev.flowgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients that misbehave on purpose, at the socket level: none of them may hold a thread, a
 * connection or the acceptor from the others. Bounds on time are generous upper limits (many
 * times the configured timeout), so a slow machine cannot fail them.
 */
class HostileClientsTest {
    private static final HttpHandler ACCEPTED = request -> HttpResponse.empty(202);
    private static final String PAYMENT = "POST /payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: 2\r\n\r\n{}";
    private HttpServer server;
    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        for (Socket client : clients) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private HttpServer start(HttpLimits limits) throws IOException {
        server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), limits, ACCEPTED);
        return server;
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(20_000);
        clients.add(socket);
        return socket;
    }

    /** Sends the bytes on a new connection and reads until the server closes it. */
    private String exchange(String raw) throws IOException {
        Socket socket = connect();
        socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aClientSendingAByteEverySoOftenIsClosedWithinTheRequestDeadline() throws Exception {
        start(HttpLimits.defaults().withRequestTimeout(Duration.ofSeconds(1)));
        Socket slow = connect();
        OutputStream out = slow.getOutputStream();
        byte[] request = PAYMENT.getBytes(StandardCharsets.ISO_8859_1);
        long started = System.nanoTime();
        int sent = 0;
        try {
            // Each byte comes well inside the 30 s idle timeout, which alone would never end this.
            while (sent < request.length && System.nanoTime() - started < Duration.ofSeconds(15).toNanos()) {
                out.write(request[sent++]);
                out.flush();
                Thread.sleep(200);
            }
        } catch (IOException closedUnderUs) {
            // the server gave up on us: what is asserted below
        }
        String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.1 408");
        assertThat(sent).as("closed before the whole request trickled in").isLessThan(request.length);
    }

    @Test
    void aClientThatNeverReadsIsClosedAfterTheWriteTimeout() throws Exception {
        // An answer larger than what the kernel buffers between the two sockets (4 MiB of send
        // buffer at most here, plus the client's small receive buffer), so writing it must block.
        // (Pipelining small requests instead can stall the client's own sending in TCP, leaving the
        // server idle in a read rather than stuck in a write: that tested the idle timeout.)
        byte[] large = new byte[16 * 1024 * 1024];
        server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0),
                HttpLimits.defaults().withWriteTimeout(Duration.ofSeconds(1)),
                request -> new HttpResponse(200, "application/octet-stream", large, Map.of()));
        Socket greedy = connect();
        greedy.setReceiveBufferSize(4096);
        greedy.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        await(Duration.ofSeconds(30), () -> server.openConnections() == 1);
        // The connection's thread was stuck writing to a client that does not read; the reaper freed it.
        await(Duration.ofSeconds(30), () -> server.openConnections() == 0);
    }

    @Test
    void pastTheLimitTheLongestIdleConnectionIsClosedNotTheNewOne() throws Exception {
        start(HttpLimits.defaults().withMaxConnections(10));
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            idle.add(connect());
            final int opened = i + 1;
            await(Duration.ofSeconds(10), () -> server.openConnections() == opened); // in order of idleness
        }
        String answer = exchange(PAYMENT.replace("Host: x", "Host: x\r\nConnection: close"));
        assertThat(answer).startsWith("HTTP/1.1 202");
        assertThat(idle.getFirst().getInputStream().read()).as("the oldest idle connection was closed").isEqualTo(-1);
        assertThat(server.openConnections()).isLessThanOrEqualTo(10);
    }

    @Test
    void withFiveThousandIdleConnectionsANewClientStillGetsItsAnswer() throws Exception {
        var os = ManagementFactory.getOperatingSystemMXBean();
        assumeTrue(os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() >= 12_000,
                "needs 12,000 file descriptors: both ends of 5,000 connections live in this process");
        start(HttpLimits.defaults());
        long rssBefore = rssKiB();
        for (int i = 0; i < 5_000; i++) {
            connect();
        }
        await(Duration.ofSeconds(60), () -> server.openConnections() == HttpLimits.defaults().maxConnections());
        long rssAfter = rssKiB();
        if (rssBefore > 0) {
            System.out.printf("%d idle connections: RSS %+d KiB (%d KiB each, both ends in this JVM)%n",
                    server.openConnections(), rssAfter - rssBefore, (rssAfter - rssBefore) / server.openConnections());
        }
        Socket fresh = connect();
        fresh.getOutputStream().write(PAYMENT.getBytes(StandardCharsets.ISO_8859_1));
        byte[] head = new byte[12];
        assertThat(fresh.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
        assertThat(new String(head, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 202");
    }

    @Test
    void theAcceptorBacksOffWhenAcceptFails() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        ServerSocket exhausted = new ServerSocket() {
            @Override
            public Socket accept() throws IOException {
                attempts.incrementAndGet();
                throw new IOException("Too many open files");
            }
        };
        HttpServer failing = new HttpServer(exhausted, ACCEPTED, HttpLimits.defaults());
        Thread.sleep(1_000);
        failing.close();
        // Without a pause this loop runs millions of times a second; with it, 10 ms doubling to 1 s.
        assertThat(attempts.get()).isBetween(1, 10);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /x HTTP/1.1\nHost: x\r\n\r\n",              // bare LF ending the request line
            "GET /x HTTP/1.1\r\nHost: x\n\r\n",              // bare LF ending a header
            "GET /x HTTP/1.1\r\nHost: x\rX: y\r\n\r\n",      // bare CR inside a line
            "GET /x HTTP/1.1\r\nHost: x\r\nX: a\u0001b\r\n\r\n", // a control character in a value
            "GET /x HTTP/1.1\r\nHost: x\r\nX: a\u007fb\r\n\r\n", // DEL in a value
            "GET /x\u0000 HTTP/1.1\r\nHost: x\r\n\r\n",      // a control character in the target
            "GET /x HTTP/1.1\r\n\r\n",                        // no Host
            "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",  // two Hosts
            "GET /x HTTP/1.1\r\nHost: x\r\n folded: value\r\n\r\n"}) // obsolete line folding
    void strictFramingRefusesWhatIsNotHttp11(String raw) throws Exception {
        start(HttpLimits.defaults());
        assertThat(exchange(raw)).startsWith("HTTP/1.1 400");
    }

    @Test
    void aTabInAHeaderValueAndAnHttp10RequestWithoutHostAreFine() throws Exception {
        start(HttpLimits.defaults());
        assertThat(exchange("GET /x HTTP/1.1\r\nHost: x\r\nX: a\tb\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 202");
        assertThat(exchange("GET /x HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 202");
    }

    @Test
    void pipelinedRequestsWhoseLinesStraddleTheReadBufferAreEachAnswered() throws Exception {
        start(HttpLimits.defaults());
        // Three requests of ~3.5 KB in one write: the second's and third's lines cross the 8 KiB read buffer's end.
        String filler = "X-Filler: " + "f".repeat(3_500) + "\r\n";
        String one = "GET /x HTTP/1.1\r\nHost: x\r\n" + filler + "\r\n";
        String last = "GET /x HTTP/1.1\r\nHost: x\r\n" + filler + "Connection: close\r\n\r\n";
        String answers = exchange(one + one + last);
        assertThat(answers.split("HTTP/1.1 202", -1)).hasSize(4);
    }

    @Test
    void aRequestArrivingOneByteAtATimeIsAnswered() throws Exception {
        start(HttpLimits.defaults());
        Socket socket = connect();
        OutputStream out = socket.getOutputStream();
        for (byte b : (PAYMENT.replace("Host: x", "hOsT: x") + "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1)) {
            out.write(b);
            out.flush();
        }
        String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(answers.split("HTTP/1.1 202", -1)).hasSize(3);
    }

    @Test
    void aHeadOfExactlyTheLimitIsAnsweredAndALongerOneRefusedWith431() throws Exception {
        start(HttpLimits.defaults());
        String start = "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Long: ";
        String atTheLimit = start + "a".repeat(8 * 1024 - start.length() - 4) + "\r\n\r\n";
        assertThat(atTheLimit).hasSize(8 * 1024);
        assertThat(exchange(atTheLimit)).startsWith("HTTP/1.1 202");
        assertThat(exchange(start + "a".repeat(9 * 1024) + "\r\n\r\n")).startsWith("HTTP/1.1 431");
    }

    private static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: nothing to print
        }
        return -1;
    }

    private static void await(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + timeout);
            }
            Thread.sleep(10);
        }
    }
}
