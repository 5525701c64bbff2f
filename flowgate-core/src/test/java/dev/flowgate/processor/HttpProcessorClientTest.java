package dev.flowgate.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.http.client.HttpClient;
import dev.flowgate.payment.Payment;
import dev.flowgate.testkit.processor.ProcessorEmulator;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each outcome class, produced by the processor emulator over real HTTP. */
class HttpProcessorClientTest {
    private final HttpClient http = HttpClient.builder().connectTimeout(Duration.ofSeconds(1)).build();
    private ProcessorEmulator emulator;
    private HttpProcessorClient client;

    @BeforeEach
    void start() throws IOException {
        emulator = ProcessorEmulator.start(ProcessorEmulator.Options.defaults());
        client = clientFor(emulator.baseUri(), Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        http.close();
        emulator.close();
    }

    private HttpProcessorClient clientFor(URI uri, Duration timeout) {
        return new HttpProcessorClient("default", uri, http, timeout);
    }

    private static Payment payment() {
        return new Payment(UUID.randomUUID(), 2005);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    @Test
    void aStoredPaymentIsProcessedWithExactlyTheRequestedAtSent() {
        Payment payment = payment();
        Instant requestedAt = now();
        assertThat(client.send(payment, requestedAt)).isEqualTo(new SendOutcome.Processed());
        ProcessorEmulator.StoredPayment stored = emulator.find(payment.correlationId()).orElseThrow();
        assertThat(stored.requestedAt()).isEqualTo(requestedAt);
        assertThat(stored.amount()).isEqualByComparingTo("20.05");
    }

    @Test
    void aDuplicateIsAlreadyProcessed() {
        Payment payment = payment();
        client.send(payment, now());
        assertThat(client.send(payment, now())).isEqualTo(new SendOutcome.AlreadyProcessed());
    }

    @Test
    void aFailingProcessorGivesFailed() {
        emulator.setFailing(true);
        assertThat(client.send(payment(), now())).isInstanceOf(SendOutcome.Failed.class);
    }

    @Test
    void aRefusedConnectionIsNotSent() throws IOException {
        URI closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        HttpProcessorClient dead = clientFor(closed, Duration.ofSeconds(1));
        assertThat(dead.send(payment(), now())).isInstanceOf(SendOutcome.NotSent.class);
    }

    @Test
    void aTimeoutIsUnknownAndTheLookupLaterFindsWhatTheProcessorStored() throws InterruptedException {
        emulator.setDelay(Duration.ofMillis(300));
        Payment payment = payment();
        Instant requestedAt = now();
        HttpProcessorClient impatient = clientFor(emulator.baseUri(), Duration.ofMillis(50));
        assertThat(impatient.send(payment, requestedAt)).isInstanceOf(SendOutcome.Unknown.class);
        assertThat(impatient.lookup(payment.correlationId())).isEqualTo(new LookupOutcome.NotFound());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (emulator.find(payment.correlationId()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(client.lookup(payment.correlationId())).isEqualTo(new LookupOutcome.Found(requestedAt));
    }

    @Test
    void overTheConcurrencyLimitIsRateLimitedWithRetryAfter() throws Exception {
        try (ProcessorEmulator narrow = ProcessorEmulator.start(ProcessorEmulator.Options.defaults().withConcurrency(1, 0));
             var senders = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            // One request holds the only place for a second; the others arrive meanwhile.
            narrow.setDelay(Duration.ofSeconds(1));
            HttpProcessorClient narrowClient = clientFor(narrow.baseUri(), Duration.ofSeconds(5));
            var outcomes = new java.util.ArrayList<java.util.concurrent.Future<SendOutcome>>();
            for (int i = 0; i < 8; i++) {
                outcomes.add(senders.submit(() -> narrowClient.send(payment(), now())));
            }
            var results = new java.util.ArrayList<SendOutcome>();
            for (var outcome : outcomes) {
                results.add(outcome.get());
            }
            assertThat(results).contains(new SendOutcome.RateLimited(Duration.ofSeconds(5)));
        }
    }

    @Test
    void aChunkedAnswerIsRead() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> answerOnce(server, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "10\r\n{\"requestedAt\":\"\r\n19\r\n2025-07-15T12:00:00.123Z\"}\r\n0\r\n\r\n"));
            HttpProcessorClient chunked = clientFor(URI.create("http://127.0.0.1:" + server.getLocalPort()), Duration.ofSeconds(2));
            assertThat(chunked.lookup(UUID.randomUUID()))
                    .isEqualTo(new LookupOutcome.Found(Instant.parse("2025-07-15T12:00:00.123Z")));
        }
    }

    @Test
    void anAnswerArrivingOneByteAtATimeWithHeadersInAnyCaseIsRead() throws Exception {
        String answer = "HTTP/1.1 429 Too Many Requests\r\nretry-AFTER:  7 \r\nCONTENT-LENGTH: 2\r\n\r\n{}";
        try (ServerSocket server = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                try (Socket socket = server.accept()) {
                    socket.getInputStream().read(new byte[4096]);
                    socket.setTcpNoDelay(true);
                    for (byte b : answer.getBytes(StandardCharsets.ISO_8859_1)) {
                        socket.getOutputStream().write(b);
                        socket.getOutputStream().flush();
                    }
                    socket.getInputStream().read(); // hold the connection open until the client closes it
                } catch (IOException ignored) {
                    // The test's assertion tells what went wrong.
                }
            });
            HttpProcessorClient c = clientFor(URI.create("http://127.0.0.1:" + server.getLocalPort()), Duration.ofSeconds(2));
            assertThat(c.send(payment(), now())).isEqualTo(new SendOutcome.RateLimited(Duration.ofSeconds(7)));
        }
    }

    @Test
    void anAnswerCutShortIsUnknown() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> answerOnce(server, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"mess"));
            HttpProcessorClient cut = clientFor(URI.create("http://127.0.0.1:" + server.getLocalPort()), Duration.ofSeconds(2));
            assertThat(cut.send(payment(), now())).isInstanceOf(SendOutcome.Unknown.class);
        }
    }

    private SendOutcome sendAnswered(String statusLine) throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> answerOnce(server, statusLine + "\r\nContent-Length: 0\r\n\r\n"));
            HttpProcessorClient c = clientFor(URI.create("http://127.0.0.1:" + server.getLocalPort()), Duration.ofSeconds(2));
            return c.send(payment(), now());
        }
    }

    private LookupOutcome lookupAnswered(String body) throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> answerOnce(server, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body));
            HttpProcessorClient c = clientFor(URI.create("http://127.0.0.1:" + server.getLocalPort()), Duration.ofSeconds(2));
            return c.lookup(UUID.randomUUID());
        }
    }

    @Test
    void anUnexpected4xxOr5xxIsAFaultThatStoredNothing() throws Exception {
        for (String status : new String[] {"400 Bad Request", "401 Unauthorized", "403 Forbidden", "404 Not Found",
                "408 Request Timeout", "413 Content Too Large", "500 Internal Server Error", "501 Not Implemented"}) {
            SendOutcome outcome = sendAnswered("HTTP/1.1 " + status);
            assertThat(outcome).as(status).isInstanceOf(SendOutcome.Failed.class);
            assertThat(((SendOutcome.Failed) outcome).status()).isEqualTo(Integer.parseInt(status.substring(0, 3)));
        }
    }

    @Test
    void aGatewaysErrorMayHavePassedTheRequestOnSoItIsUnknown() throws Exception {
        for (String status : new String[] {"502 Bad Gateway", "503 Service Unavailable", "504 Gateway Timeout",
                "524 A Timeout Occurred", "302 Found"}) {
            assertThat(sendAnswered("HTTP/1.1 " + status)).as(status).isInstanceOf(SendOutcome.Unknown.class);
        }
    }

    @Test
    void aRequestedAtWithoutAnOffsetAsTheContestsProcessorWritesItIsUtc() throws Exception {
        assertThat(lookupAnswered("{\"correlationId\":\"x\",\"amount\":20.05,\"requestedAt\":\"2025-07-15T12:34:56.789\"}"))
                .isEqualTo(new LookupOutcome.Found(Instant.parse("2025-07-15T12:34:56.789Z")));
        assertThat(lookupAnswered("{\"requestedAt\":\"2025-07-15T12:34:56.123456\"}"))
                .isEqualTo(new LookupOutcome.Found(Instant.parse("2025-07-15T12:34:56.123456Z")));
        assertThat(lookupAnswered("{\"requestedAt\":\"2025-07-15T12:34:56\"}"))
                .isEqualTo(new LookupOutcome.Found(Instant.parse("2025-07-15T12:34:56Z")));
        assertThat(lookupAnswered("{\"requestedAt\":\"2025-07-15T14:34:56.5+02:00\"}"))
                .isEqualTo(new LookupOutcome.Found(Instant.parse("2025-07-15T12:34:56.5Z")));
    }

    @Test
    void anUnreadableRequestedAtIsNoAnswerNotACrash() throws Exception {
        for (String value : new String[] {"yesterday", "2025-13-45T99:00:00", "", "2025-07-15"}) {
            assertThat(lookupAnswered("{\"requestedAt\":\"" + value + "\"}")).as(value)
                    .isInstanceOf(LookupOutcome.Unavailable.class);
        }
    }

    private static void answerOnce(ServerSocket server, String answer) {
        try (Socket socket = server.accept()) {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            int n = in.read(buffer);
            if (n > 0) {
                socket.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
            }
        } catch (IOException ignored) {
            // The test's assertion tells what went wrong.
        }
    }
}
