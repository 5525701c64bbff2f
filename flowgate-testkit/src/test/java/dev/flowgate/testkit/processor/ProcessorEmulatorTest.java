package dev.flowgate.testkit.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.testkit.processor.ProcessorEmulator.Options;
import dev.flowgate.testkit.processor.ProcessorEmulator.StoredPayment;
import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The emulator against the contest processor's behaviour, over real HTTP on loopback. Timing is
 * only ever asserted as a lower bound ("took at least the delay"), so a slow machine cannot fail it.
 */
class ProcessorEmulatorTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final String TOKEN = "123";
    private static final String AT = "2025-07-15T12:34:56.000Z";
    /** Long enough that requests held by it are still inside when a test looks; close() cuts it short. */
    private static final Duration HOLD = Duration.ofSeconds(30);

    private ProcessorEmulator emulator;

    @BeforeEach
    void startEmulator() throws IOException {
        emulator = ProcessorEmulator.start(Options.defaults());
    }

    @AfterEach
    void closeEmulator() {
        emulator.close();
    }

    // --- POST /payments ---

    @Test
    void paymentIsStoredWithItsAmountRoundedHalfEvenToCentsAndRequestedAtAsSent() throws Exception {
        UUID id = UUID.randomUUID();

        HttpResponse<String> response = pay(id, "20.045", "2025-07-15T12:34:56.789Z");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        assertThat(response.body()).isEqualTo("{\"message\":\"payment processed successfully\"}");
        assertThat(emulator.find(id)).contains(
                new StoredPayment(id, new BigDecimal("20.04"), Instant.parse("2025-07-15T12:34:56.789Z")));
    }

    @Test
    void missingPropertiesTakeTheirDotNetDefaultsAsOnTheProcessor() throws Exception {
        String body = "{\"AMOUNT\":\"19.90\"}"; // names are case-insensitive, numbers may be strings
        HttpResponse<String> response = send(jsonRequest("/payments").POST(BodyPublishers.ofString(body)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(emulator.find(new UUID(0, 0))).contains(new StoredPayment(new UUID(0, 0), new BigDecimal("19.90"),
                Instant.parse("0001-01-01T00:00:00Z")));
    }

    @Test
    void aBodyWithoutAJsonContentTypeIs415() throws Exception {
        HttpResponse<String> response = send(request("/payments").POST(BodyPublishers.ofString("{}")));

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void paymentWithAnOffsetInstantIsStoredAtTheSameInstant() throws Exception {
        UUID id = UUID.randomUUID();

        assertThat(pay(id, "19.90", "2025-07-15T09:34:56.123-03:00").statusCode()).isEqualTo(200);

        assertThat(emulator.find(id).orElseThrow().requestedAt()).isEqualTo(Instant.parse("2025-07-15T12:34:56.123Z"));
    }

    @Test
    void duplicateCorrelationIdIsRejectedWith422AndNothingChanges() throws Exception {
        UUID id = UUID.randomUUID();
        pay(id, "10.00", AT);

        HttpResponse<String> again = pay(id, "99.99", "2025-07-15T13:00:00.000Z");

        assertThat(again.statusCode()).isEqualTo(422);
        assertThat(emulator.payments()).containsExactly(new StoredPayment(id, new BigDecimal("10.00"), Instant.parse(AT)));
    }

    @Test
    void concurrentPostsOfOneCorrelationIdStoreItExactlyOnce() throws Exception {
        // The delay lines all posts up behind it, so they race on the store together.
        emulator.setDelay(Duration.ofMillis(100));
        UUID id = UUID.randomUUID();

        List<Integer> statuses = IntStream.range(0, 16)
                .mapToObj(i -> payAsync(id, "1.00"))
                .toList().stream()
                .map(future -> future.join().statusCode())
                .toList();

        assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
        assertThat(statuses).filteredOn(status -> status == 422).hasSize(15);
        assertThat(emulator.storedCount()).isEqualTo(1);
    }

    @Test
    void delayIsWaitedBeforeAnswering() throws Exception {
        emulator.setDelay(Duration.ofMillis(200));

        long start = System.nanoTime();
        HttpResponse<String> response = pay(UUID.randomUUID(), "1.00", AT);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void delayHappensBeforeFailure() throws Exception {
        emulator.setDelay(Duration.ofMillis(200));
        emulator.setFailing(true);

        long start = System.nanoTime();
        HttpResponse<String> response = pay(UUID.randomUUID(), "1.00", AT);

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void failingProcessorAnswers500AndStoresNothing() throws Exception {
        emulator.setFailing(true);

        assertThat(pay(UUID.randomUUID(), "1.00", AT).statusCode()).isEqualTo(500);

        assertThat(emulator.storedCount()).isZero();
    }

    @Test
    void paymentIsStoredEvenWhenTheClientGaveUpDuringTheDelay() throws Exception {
        emulator.setDelay(Duration.ofMillis(600));
        UUID id = UUID.randomUUID();
        HttpRequest impatient = paymentRequest(id, "20.05", AT).timeout(Duration.ofMillis(50)).build();

        assertThatThrownBy(() -> HTTP.send(impatient, BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);

        await(() -> emulator.storedCount() == 1);
        assertThat(emulator.find(id)).isPresent();
        // Retrying on the same processor then finds it already processed.
        emulator.setDelay(Duration.ZERO);
        assertThat(pay(id, "20.05", AT).statusCode()).isEqualTo(422);
    }

    @ParameterizedTest
    @MethodSource("malformedPayments")
    void malformedPaymentBodiesAre400(String body) throws Exception {
        HttpResponse<String> response = send(jsonRequest("/payments").POST(BodyPublishers.ofString(body)));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEmpty();
        assertThat(emulator.storedCount()).isZero();
    }

    static Stream<String> malformedPayments() {
        String id = "\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\"";
        String at = "\"" + AT + "\"";
        return Stream.of(
                "",
                "not json",
                "[]",
                "null",
                "{\"correlationId\":",
                "{\"correlationId\":\"not-a-uuid\",\"amount\":19.90,\"requestedAt\":" + at + "}",
                "{\"correlationId\":\"1-1-1-1-1\",\"amount\":19.90,\"requestedAt\":" + at + "}",
                "{\"correlationId\":12345,\"amount\":19.90,\"requestedAt\":" + at + "}",
                "{\"correlationId\":" + id + ",\"amount\":null,\"requestedAt\":" + at + "}",
                "{\"correlationId\":" + id + ",\"amount\":{},\"requestedAt\":" + at + "}",
                "{\"correlationId\":" + id + ",\"amount\":1e999999999,\"requestedAt\":" + at + "}",
                "{\"correlationId\":" + id + ",\"amount\":\" 19.90\",\"requestedAt\":" + at + "}",
                "{\"correlationId\":" + id + ",\"amount\":19.90,\"requestedAt\":null}",
                "{\"correlationId\":" + id + ",\"amount\":19.90,\"requestedAt\":\"2025-02-30T00:00:00Z\"}",
                "{\"correlationId\":" + id + ",\"amount\":19.90,\"requestedAt\":\"yesterday\"}",
                "{\"correlationId\":" + id + ",\"amount\":19.90,\"requestedAt\":1752582896000}",
                "{\"correlationId\":" + id + ",\"amount\":19.90,\"requestedAt\":" + at + "} trailing");
    }

    @Test
    void malformedPaymentIsRejectedWithoutWaitingForTheDelay() throws Exception {
        emulator.setDelay(HOLD);

        // A generous timeout, far below the delay: a 400 that waited for the delay would miss it.
        HttpResponse<String> response = HTTP.send(jsonRequest("/payments").timeout(Duration.ofSeconds(5))
                .POST(BodyPublishers.ofString("[]")).build(), BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void oversizedBodyIs413() throws Exception {
        String body = "{\"padding\":\"" + "x".repeat(100 * 1024) + "\"}";

        HttpResponse<String> response = send(request("/payments").POST(BodyPublishers.ofString(body)));

        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void bodyAnnouncedFarBeyondTheLimitIs413WithoutWaitingForIt() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), emulator.port())) {
            socket.setSoTimeout((int) PATIENCE.toMillis());
            socket.getOutputStream().write(("POST /payments HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Length: 999999999999\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));

            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();

            assertThat(statusLine).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void paymentPostsReceivedCountsEveryOutcome() throws Exception {
        UUID id = UUID.randomUUID();
        pay(id, "1.00", AT);
        pay(id, "1.00", AT);
        send(request("/payments").POST(BodyPublishers.ofString("{}")));
        emulator.setFailing(true);
        pay(UUID.randomUUID(), "1.00", AT);

        assertThat(emulator.paymentPostsReceived()).isEqualTo(4);
    }

    // --- concurrency limit ---

    @Test
    void concurrencyBeyondLimitAndQueueGets429WithRetryAfter() throws Exception {
        restart(Options.defaults().withConcurrency(2, 1));
        emulator.setDelay(HOLD);
        IntStream.range(0, 3).forEach(i -> payAsync(UUID.randomUUID(), "1.00"));
        await(() -> emulator.requestsInsideLimit() == 3);

        HttpResponse<String> refused = pay(UUID.randomUUID(), "1.00", AT);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).contains("5");
        assertThat(emulator.paymentPostsReceived()).isEqualTo(4);
    }

    @Test
    void queuedPaymentIsServedOnceARunningOneFinishes() throws Exception {
        restart(Options.defaults().withConcurrency(1, 1));
        emulator.setDelay(Duration.ofMillis(150));
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> running = payAsync(UUID.randomUUID(), "1.00");
        await(() -> emulator.requestsInsideLimit() == 1);
        CompletableFuture<HttpResponse<String>> queued = payAsync(UUID.randomUUID(), "1.00");

        assertThat(running.join().statusCode()).isEqualTo(200);
        assertThat(queued.join().statusCode()).isEqualTo(200);
        // One after the other: two delays at least.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void paymentLookupsShareTheConcurrencyLimitWithPayments() throws Exception {
        restart(Options.defaults().withConcurrency(1, 0));
        emulator.setDelay(HOLD);
        payAsync(UUID.randomUUID(), "1.00");
        await(() -> emulator.requestsInsideLimit() == 1);

        HttpResponse<String> refused = get("/payments/" + UUID.randomUUID());

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).contains("5");
    }

    // --- GET /payments/{id} ---

    @Test
    void storedPaymentIsReturnedByIdExactlyAsStored() throws Exception {
        UUID id = UUID.randomUUID();
        pay(id, "19.9", AT);

        HttpResponse<String> response = get("/payments/" + id);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(
                "{\"correlationId\":\"" + id + "\",\"amount\":19.9,\"requestedAt\":\"2025-07-15T12:34:56\"}");
    }

    @Test
    void unknownPaymentIdIs404() throws Exception {
        assertThat(get("/payments/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1-1-1-1-1", "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3x", "%34a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3",
            "4a7901b87d264d9daa194dc1c7cf60b"})
    void nonUuidPaymentIdIs400(String id) throws Exception {
        assertThat(get("/payments/" + id).statusCode()).isEqualTo(400);
    }

    // --- GET /payments/service-health ---

    @Test
    void healthReportsTheFailureSwitchAndTheDelay() throws Exception {
        emulator.setDelay(Duration.ofMillis(250));
        emulator.setFailing(true);

        HttpResponse<String> response = get("/payments/service-health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"failing\":true,\"minResponseTime\":250}");
    }

    @Test
    void healthAllowsOneCallPerWindowQueuesTwoAndRejectsTheRest() throws Exception {
        // A clock that stands still keeps every call in the first window, however slow the machine.
        Duration window = Duration.ofMillis(300);
        restart(Options.defaults().withClock(new MutableClock(Instant.parse("2025-07-15T12:00:00Z")))
                .withHealthRateLimit(window, 2));
        assertThat(get("/payments/service-health").statusCode()).isEqualTo(200);

        long start = System.nanoTime();
        List<CompletableFuture<Timed>> calls = IntStream.range(0, 4)
                .mapToObj(i -> HTTP.sendAsync(request("/payments/service-health").GET().build(), BodyHandlers.ofString())
                        .thenApply(response -> new Timed(response, Duration.ofNanos(System.nanoTime() - start))))
                .toList();
        List<Timed> answers = calls.stream().map(CompletableFuture::join).toList();

        List<Timed> served = answers.stream().filter(a -> a.response().statusCode() == 200).toList();
        List<Timed> refused = answers.stream().filter(a -> a.response().statusCode() == 429).toList();
        assertThat(served).hasSize(2);
        assertThat(refused).hasSize(2)
                // The processor sends its window in whole seconds: 300 ms rounds up to 1.
                .allSatisfy(a -> assertThat(a.response().headers().firstValue("Retry-After")).contains("1"));
        // The queued calls wait for the next two windows, one each.
        assertThat(served).extracting(Timed::took).allSatisfy(took -> assertThat(took).isGreaterThanOrEqualTo(window));
        assertThat(served).extracting(Timed::took).anySatisfy(took -> assertThat(took).isGreaterThanOrEqualTo(window.multipliedBy(2)));
    }

    @Test
    void healthWindowsFollowTheEmulatorsClock() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2025-07-15T12:00:00Z"));
        restart(Options.defaults().withClock(clock).withHealthRateLimit(Duration.ofMillis(300), 2));
        get("/payments/service-health");

        // A new window: one call at once, two queued, the fourth refused (in the old window it would be two).
        clock.advance(Duration.ofMillis(300));
        List<Integer> statuses = IntStream.range(0, 4)
                .mapToObj(i -> HTTP.sendAsync(request("/payments/service-health").GET().build(), BodyHandlers.discarding()))
                .toList().stream()
                .map(future -> future.join().statusCode())
                .sorted()
                .toList();

        assertThat(statuses).containsExactly(200, 200, 200, 429);
    }

    // --- GET /admin/payments-summary ---

    @Test
    void summaryWindowIsInclusive() throws Exception {
        Instant from = Instant.parse("2025-07-15T12:00:00.000Z");
        Instant to = Instant.parse("2025-07-15T12:00:02.000Z");
        pay(UUID.randomUUID(), "1.00", from.minusMillis(1).toString());
        pay(UUID.randomUUID(), "2.00", from.toString());
        pay(UUID.randomUUID(), "4.00", from.plusSeconds(1).toString());
        pay(UUID.randomUUID(), "8.00", to.toString());
        pay(UUID.randomUUID(), "16.00", to.plusMillis(1).toString());

        HttpResponse<String> response = admin("GET", "/admin/payments-summary?from=" + from + "&to=" + to, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(
                "{\"totalAmount\":14.00,\"totalRequests\":3,\"totalFee\":0.7000,\"feePerTransaction\":0.05}");
    }

    @Test
    void summaryWithAMissingBoundCoversAllPayments() throws Exception {
        pay(UUID.randomUUID(), "1.00", "2020-01-01T00:00:00.000Z");
        pay(UUID.randomUUID(), "2.00", "2030-01-01T00:00:00.000Z");
        String all = "{\"totalAmount\":3.00,\"totalRequests\":2,\"totalFee\":0.1500,\"feePerTransaction\":0.05}";

        assertThat(admin("GET", "/admin/payments-summary", null).body()).isEqualTo(all);
        assertThat(admin("GET", "/admin/payments-summary?from=2025-01-01T00:00:00.000Z", null).body()).isEqualTo(all);
        assertThat(admin("GET", "/admin/payments-summary?to=2025-01-01T00:00:00.000Z", null).body()).isEqualTo(all);
    }

    @Test
    void summaryWithAnUnparseableBoundIs400() throws Exception {
        assertThat(admin("GET", "/admin/payments-summary?from=yesterday&to=2025-01-01T00:00:00.000Z", null).statusCode())
                .isEqualTo(400);
        assertThat(admin("GET", "/admin/payments-summary?from=2025-13-01&to=2025-01-02T00:00:00.000Z", null).statusCode())
                .isEqualTo(400);
        assertThat(send(request("/admin/payments-summary?from=yesterday").GET()).statusCode())
                .as("bounds are read before the token is checked").isEqualTo(400);
    }

    @Test
    void feesAreComputedOnTheTotalAndNotRounded() throws Exception {
        // 5 % of each 0.10 would round to 0.01 apiece (0.03); the processor answers 5 % of the 0.30 total.
        for (int i = 0; i < 3; i++) {
            pay(UUID.randomUUID(), "0.10", AT);
        }

        assertThat(admin("GET", "/admin/payments-summary", null).body())
                .isEqualTo("{\"totalAmount\":0.30,\"totalRequests\":3,\"totalFee\":0.0150,\"feePerTransaction\":0.05}");
    }

    @Test
    void summaryAmountsAreExactDecimals() throws Exception {
        restart(Options.defaults().withFee(new BigDecimal("0.07")));
        for (int i = 0; i < 3; i++) {
            pay(UUID.randomUUID(), "20.05", AT); // summed as doubles: 60.150000000000006
        }

        assertThat(admin("GET", "/admin/payments-summary", null).body())
                .isEqualTo("{\"totalAmount\":60.15,\"totalRequests\":3,\"totalFee\":4.2105,\"feePerTransaction\":0.07}");
        assertThat(emulator.summary(null, null))
                .isEqualTo(new Summary(3, new BigDecimal("60.15"), new BigDecimal("4.2105"), new BigDecimal("0.07")));
    }

    // --- admin ---

    @Test
    void adminEndpointsRequireToken() throws Exception {
        pay(UUID.randomUUID(), "1.00", AT);
        List<HttpRequest.Builder> calls = List.of(
                request("/admin/payments-summary").GET(),
                jsonRequest("/admin/configurations/token").PUT(BodyPublishers.ofString("{\"token\":\"mine\"}")),
                jsonRequest("/admin/configurations/delay").PUT(BodyPublishers.ofString("{\"delay\":1000}")),
                jsonRequest("/admin/configurations/failure").PUT(BodyPublishers.ofString("{\"failure\":true}")),
                request("/admin/purge-payments").POST(BodyPublishers.noBody()));
        List<Integer> statuses = new ArrayList<>();

        for (HttpRequest.Builder call : calls) {
            statuses.add(send(call.copy()).statusCode());
            statuses.add(send(call.copy().header("X-Rinha-Token", "wrong")).statusCode());
        }

        assertThat(statuses).containsOnly(401).hasSize(10);
        assertThat(get("/payments/service-health").body()).isEqualTo("{\"failing\":false,\"minResponseTime\":0}");
        assertThat(emulator.storedCount()).isEqualTo(1);
    }

    @Test
    void tokenCanBeReplaced() throws Exception {
        HttpResponse<String> response = admin("PUT", "/admin/configurations/token", "{\"token\":\"s3cret\"}");

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(admin("GET", "/admin/payments-summary", null).statusCode()).isEqualTo(401);
        assertThat(send(request("/admin/payments-summary").header("X-Rinha-Token", "s3cret").GET()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void delayConfigurationAnswersWasAndIs() throws Exception {
        HttpResponse<String> first = admin("PUT", "/admin/configurations/delay", "{\"delay\":300}");
        HttpResponse<String> second = admin("PUT", "/admin/configurations/delay", "{\"delay\":0}");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"config\":\"delay\",\"was\":0,\"is\":300}");
        assertThat(second.body()).isEqualTo("{\"config\":\"delay\",\"was\":300,\"is\":0}");
    }

    @Test
    void failureConfigurationAnswersWasAndIs() throws Exception {
        HttpResponse<String> first = admin("PUT", "/admin/configurations/failure", "{\"failure\":true}");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"config\":\"failure\",\"was\":false,\"is\":true}");
        assertThat(pay(UUID.randomUUID(), "1.00", AT).statusCode()).isEqualTo(500);
    }

    @Test
    void purgeDeletesAllPayments() throws Exception {
        pay(UUID.randomUUID(), "1.00", AT);
        pay(UUID.randomUUID(), "2.00", AT);

        HttpResponse<String> response = admin("POST", "/admin/purge-payments", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"message\":\"All payments purged.\"}");
        assertThat(emulator.storedCount()).isZero();
    }

    @ParameterizedTest
    @MethodSource("badAdminBodies")
    void badAdminBodiesAre400(String path, String body) throws Exception {
        assertThat(admin("PUT", path, body).statusCode()).isEqualTo(400);
        assertThat(get("/payments/service-health").body()).isEqualTo("{\"failing\":false,\"minResponseTime\":0}");
    }

    static Stream<Arguments> badAdminBodies() {
        return Stream.of(
                Arguments.of("/admin/configurations/delay", "{\"delay\":1.5}"),
                Arguments.of("/admin/configurations/delay", "{\"delay\":1e3}"),
                Arguments.of("/admin/configurations/delay", "{\"delay\":99999999999}"),
                Arguments.of("/admin/configurations/delay", "{\"delay\":null}"),
                Arguments.of("/admin/configurations/delay", "delay=100"),
                Arguments.of("/admin/configurations/failure", "{\"failure\":\"true\"}"),
                Arguments.of("/admin/configurations/failure", "{\"failure\":1}"),
                Arguments.of("/admin/configurations/failure", "{\"failure\":null}"),
                Arguments.of("/admin/configurations/token", "{\"token\":5}"),
                Arguments.of("/admin/configurations/token", ""));
    }

    @Test
    void adminBodiesBindAsOnTheProcessor() throws Exception {
        assertThat(admin("PUT", "/admin/configurations/delay", "{\"delay\":\"100\"}").body())
                .isEqualTo("{\"config\":\"delay\",\"was\":0,\"is\":100}");
        assertThat(admin("PUT", "/admin/configurations/delay", "{}").body())
                .isEqualTo("{\"config\":\"delay\",\"was\":100,\"is\":0}");
        assertThat(admin("PUT", "/admin/configurations/delay", "{\"delay\":-1}").body())
                .as("a negative delay is kept and waits nothing").isEqualTo("{\"config\":\"delay\",\"was\":0,\"is\":-1}");
        assertThat(admin("PUT", "/admin/configurations/failure", "{}").body())
                .isEqualTo("{\"config\":\"failure\",\"was\":false,\"is\":false}");
        assertThat(send(request("/admin/configurations/delay").header("X-Rinha-Token", TOKEN)
                .PUT(BodyPublishers.ofString("{\"delay\":5}"))).statusCode()).as("without a JSON content type").isEqualTo(415);
        assertThat(send(jsonRequest("/admin/configurations/delay").PUT(BodyPublishers.ofString("[]"))).statusCode())
                .as("the body is bound before the token is checked").isEqualTo(400);
    }

    // --- routing ---

    @ParameterizedTest
    @ValueSource(strings = {"/payment", "/payments/a/b", "/admin", "/admin/unknown", "/payments-summary"})
    void unknownPathsAre404(String path) throws Exception {
        HttpResponse<String> response = send(request(path).header("X-Rinha-Token", TOKEN).GET());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void pathsAreCaseInsensitiveAndATrailingSlashIsIgnored() throws Exception {
        assertThat(get("/PAYMENTS/SERVICE-HEALTH/").statusCode()).isEqualTo(200);
        assertThat(get("/").statusCode()).as("where the processor says it is ready").isEqualTo(200);
    }

    @Test
    void wrongMethodsAre405() throws Exception {
        HttpResponse<String> getPayments = get("/payments");
        List<Integer> others = List.of(
                        request("/payments/service-health").POST(BodyPublishers.noBody()),
                        request("/payments/" + UUID.randomUUID()).DELETE(),
                        request("/payments/service-health").HEAD(),
                        request("/admin/configurations/delay").header("X-Rinha-Token", TOKEN).GET(),
                        request("/admin/purge-payments").header("X-Rinha-Token", TOKEN).PUT(BodyPublishers.noBody()))
                .stream()
                .map(call -> send(call).statusCode())
                .toList();

        assertThat(getPayments.statusCode()).isEqualTo(405);
        assertThat(getPayments.headers().firstValue("Allow")).contains("POST");
        assertThat(others).containsOnly(405);
    }

    // --- the Java API ---

    @Test
    void closeStopsTheServer() {
        emulator.close();

        assertThatThrownBy(() -> get("/payments/service-health")).isInstanceOf(java.io.UncheckedIOException.class);
    }

    @Test
    void optionsRefuseAFeeOutsideZeroToOne() {
        assertThatThrownBy(() -> Options.defaults().withFee(BigDecimal.ONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Options.defaults().withFee(new BigDecimal("-0.01"))).isInstanceOf(IllegalArgumentException.class);
    }

    // --- helpers ---

    private record Timed(HttpResponse<String> response, Duration took) {
    }

    private void restart(Options options) throws IOException {
        emulator.close();
        emulator = ProcessorEmulator.start(options);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(emulator.baseUri() + path)).timeout(PATIENCE);
    }

    private HttpRequest.Builder jsonRequest(String path) {
        return request(path).header("Content-Type", "application/json");
    }

    private HttpRequest.Builder paymentRequest(UUID id, String amount, String requestedAt) {
        String body = "{\"correlationId\":\"" + id + "\",\"amount\":" + amount + ",\"requestedAt\":\"" + requestedAt + "\"}";
        return request("/payments").header("Content-Type", "application/json").POST(BodyPublishers.ofString(body));
    }

    private HttpResponse<String> pay(UUID id, String amount, String requestedAt) {
        return send(paymentRequest(id, amount, requestedAt));
    }

    private CompletableFuture<HttpResponse<String>> payAsync(UUID id, String amount) {
        return HTTP.sendAsync(paymentRequest(id, amount, AT).build(), BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    private HttpResponse<String> admin(String method, String path, String body) {
        HttpRequest.Builder request = body == null ? request(path) : jsonRequest(path);
        return send(request.header("X-Rinha-Token", TOKEN)
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + PATIENCE);
            }
            Thread.sleep(5);
        }
    }
}
