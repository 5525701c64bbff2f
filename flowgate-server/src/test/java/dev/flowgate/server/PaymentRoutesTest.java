package dev.flowgate.server;

import static dev.flowgate.server.Harness.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP API's contract, hostile input first: every refusal is a 4xx problem, never a 5xx. */
class PaymentRoutesTest {
    @TempDir
    static Path dir;
    static Harness harness;

    @BeforeAll
    static void start() throws IOException {
        harness = Harness.start(dir);
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void aValidPaymentIsAcceptedWith202() {
        assertThat(harness.pay(UUID.randomUUID(), "19.90").statusCode()).isEqualTo(202);
    }

    @Test
    void theSamePaymentTwiceIsAcceptedTwiceAndPaidOnce() {
        UUID id = UUID.randomUUID();
        assertThat(harness.pay(id, "19.90").statusCode()).isEqualTo(202);
        assertThat(harness.pay(id, "19.90").statusCode()).isEqualTo(202);
        Harness.await(Duration.ofSeconds(10), "settlement", () -> harness.defaultProcessor.find(id).isPresent());
        assertThat(harness.defaultProcessor.paymentPostsReceived() + harness.fallbackProcessor.paymentPostsReceived())
                .isGreaterThanOrEqualTo(1);
        assertThat(harness.fallbackProcessor.find(id)).isEmpty();
    }

    @Test
    void theSameIdWithAnotherAmountIsAConflict() {
        UUID id = UUID.randomUUID();
        harness.pay(id, "19.90");
        HttpResponse<String> response = harness.pay(id, "20.00");
        assertProblem(response, 409);
        assertThat(response.body()).contains("19.90");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "{", "not json", "[]", "{\"correlationId\":\"x\",\"amount\":1}",
            "{\"correlationId\":\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\"}",
            "{\"correlationId\":\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\",\"amount\":0}",
            "{\"correlationId\":\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\",\"amount\":-5}",
            "{\"correlationId\":\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\",\"amount\":NaN}",
            "{\"correlationId\":\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\",\"amount\":1e309}",
            "{\"correlationId\":\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\",\"amount\":1.001}",
            "{\"correlationId\":\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\",\"amount\":\"1.00\"}",
            "{\"correlationId\":12,\"amount\":1}"})
    void invalidPaymentsAreRefusedWith400AndAProblem(String body) {
        assertProblem(harness.post("/payments", "application/json", body), 400);
    }

    @Test
    void aWrongContentTypeIsRefusedWith415() {
        assertProblem(harness.post("/payments", "text/plain",
                "{\"correlationId\":\"" + UUID.randomUUID() + "\",\"amount\":1}"), 415);
        assertProblem(harness.post("/payments", null, "{}"), 415);
    }

    @Test
    void anOversizedBodyIsRefusedWith413() {
        assertProblem(harness.post("/payments", "application/json", "{\"pad\":\"" + "x".repeat(20_000) + "\"}"), 413);
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() {
        assertProblem(harness.get("/nothing-here"), 404);
        HttpResponse<String> response = harness.send(HttpRequest.newBuilder(harness.uri("/payments")).DELETE().build());
        assertProblem(response, 405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, POST");
        assertProblem(harness.send(HttpRequest.newBuilder(harness.uri("/payments-summary"))
                .DELETE().build()), 405);
    }

    @Test
    void aPaymentCanBeLookedUpByItsId() {
        UUID id = UUID.randomUUID();
        harness.pay(id, "12.34");
        HttpResponse<String> response = harness.get("/payments/" + id);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"correlationId\":\"" + id + "\"").contains("\"amount\":12.34");
    }

    @Test
    void lookingUpAnUnknownOrMalformedIdIsA404OrA400() {
        assertProblem(harness.get("/payments/" + UUID.randomUUID()), 404);
        assertProblem(harness.get("/payments/not-a-uuid"), 400);
    }

    @Test
    void malformedPercentEscapesAreRefusedWith400() throws IOException {
        assertThat(raw("GET /payments-summary?from=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET /payments/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @ParameterizedTest
    @ValueSource(strings = {"from=yesterday", "to=2025-13-01T00:00:00Z", "to=+300000000-01-01T00:00:00Z",
            "from=-300000000-01-01T00:00:00Z",
            "from=2025-07-15T12:00:01.000Z&to=2025-07-15T12:00:00.000Z"})
    void badSummaryWindowsAreRefusedWith400(String query) {
        assertProblem(harness.get("/payments-summary?" + query), 400);
    }

    @Test
    void theSummaryNamesBothProcessorsEvenWhenEmpty() {
        HttpResponse<String> response = harness.get("/payments-summary?from=2000-01-01T00:00:00.000Z&to=2000-01-01T00:00:01.000Z");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(
                "{\"default\":{\"totalRequests\":0,\"totalAmount\":0.00},\"fallback\":{\"totalRequests\":0,\"totalAmount\":0.00}}");
    }

    @Test
    void healthReportsTheProcessors() {
        HttpResponse<String> response = harness.get("/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"name\":\"default\"").contains("\"name\":\"fallback\"");
    }

    @Test
    void malformedHttpIsRefusedWithAProblemAndTheConnectionClosed() throws IOException {
        assertThat(raw("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400").contains("application/problem+json");
        assertThat(raw("GET /health HTTP/2.0\r\n\r\n")).startsWith("HTTP/1.1 505");
        assertThat(raw("POST /payments HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("POST /payments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")).startsWith("HTTP/1.1 411");
        assertThat(raw("GET /health HTTP/1.1\r\nX: " + "a".repeat(10_000) + "\r\n\r\n")).startsWith("HTTP/1.1 431");
        assertThat(raw("GET /health HTTP/1.1\r\nno colon here\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @Test
    void aTruncatedBodyDoesNotCrashTheServer() throws IOException {
        raw("POST /payments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"corr", true);
        assertThat(harness.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void keepAliveServesManyRequestsOnOneConnection() throws IOException {
        String request = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        String answers = raw(request + request + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(answers.split("HTTP/1.1 200", -1)).hasSize(4);
    }

    private static String raw(String request) throws IOException {
        return raw(request, false);
    }

    /** Sends bytes as they are and reads until the server closes (or, if {@code halfOpen}, just closes). */
    private static String raw(String request, boolean closeWithoutReading) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", harness.server.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (closeWithoutReading) {
                return "";
            }
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
