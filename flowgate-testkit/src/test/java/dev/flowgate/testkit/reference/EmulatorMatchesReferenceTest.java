package dev.flowgate.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.testkit.processor.ProcessorEmulator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The differential test: the same requests, byte for byte, to the testkit's emulator and to the
 * reference processor, and the same answers back (status, the headers a client acts on, body).
 * Where they differ, the emulator is wrong.
 */
class EmulatorMatchesReferenceTest {
    private static ReferenceProcessor reference;
    private static ProcessorEmulator emulator;

    @BeforeAll
    static void start() throws IOException {
        reference = ReferenceProcessor.start(ReferenceProcessor.Options.defaults().withHealthWindowSeconds(1));
        emulator = ProcessorEmulator.start(ProcessorEmulator.Options.defaults()
                .withFee(new BigDecimal("0.05")).withHealthRateLimit(Duration.ofSeconds(1), 2));
    }

    @AfterAll
    static void stop() {
        if (emulator != null) {
            emulator.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    /** One answer, reduced to what a client may act on. */
    private record Answer(int status, String contentType, String allow, String retryAfter, String body) {
    }

    private static Answer exchange(URI base, String method, String path, List<String> headers, String body)
            throws IOException {
        return exchange(base, method, path, headers, body, Duration.ofSeconds(10));
    }

    private static Answer exchange(URI base, String method, String path, List<String> headers, String body,
                                   Duration timeout) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n")
                    .append("Connection: close\r\n");
            headers.forEach(h -> request.append(h).append("\r\n"));
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                request.append("Content-Length: ").append(content.length).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        }
    }

    private static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        int headEnd = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, headEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        String contentType = null;
        String allow = null;
        String retryAfter = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "content-type" -> contentType = value;
                case "allow" -> allow = value;
                case "retry-after" -> retryAfter = value;
                default -> { }
            }
        }
        return new Answer(status, contentType, allow, retryAfter, text.substring(headEnd + 4));
    }

    /** A request and what it is about, for the failure message. */
    private record Call(String what, String method, String path, List<String> headers, String body) {
        static Call json(String what, String method, String path, String body) {
            return new Call(what, method, path, List.of("Content-Type: application/json"), body);
        }

        static Call admin(String what, String method, String path, String body) {
            List<String> headers = body == null ? List.of("X-Rinha-Token: 123")
                    : List.of("X-Rinha-Token: 123", "Content-Type: application/json");
            return new Call(what, method, path, headers, body);
        }
    }

    private static void assertSameAnswers(List<Call> calls) throws IOException {
        List<String> differences = new ArrayList<>();
        for (Call call : calls) {
            Answer expected = exchange(reference.baseUri(), call.method(), call.path(), call.headers(), call.body());
            Answer actual = exchange(emulator.baseUri(), call.method(), call.path(), call.headers(), call.body());
            if (!expected.equals(actual)) {
                differences.add(call.what() + ":\n  reference " + expected + "\n  emulator  " + actual);
            }
        }
        assertThat(differences).as("answers that differ").isEmpty();
    }

    private static String payment(UUID id, String amount, String requestedAt) {
        return "{\"correlationId\":\"" + id + "\",\"amount\":" + amount + ",\"requestedAt\":\"" + requestedAt + "\"}";
    }

    @Test
    void paymentsAndLookupsAnswerTheSame() throws IOException {
        UUID stored = UUID.randomUUID();
        UUID micros = UUID.randomUUID();
        UUID offset = UUID.randomUUID();
        UUID whole = UUID.randomUUID();
        UUID rounded = UUID.randomUUID();
        UUID asString = UUID.randomUUID();
        assertSameAnswers(List.of(
                Call.json("a payment", "POST", "/payments", payment(stored, "20.05", "2025-07-15T12:34:56.789Z")),
                Call.json("the same payment again", "POST", "/payments", payment(stored, "20.05", "2025-07-15T12:34:56.789Z")),
                Call.json("microseconds", "POST", "/payments", payment(micros, "1", "2025-07-15T12:34:56.123456Z")),
                Call.json("an offset", "POST", "/payments", payment(offset, "1.5", "2025-07-15T14:34:56.100+02:00")),
                Call.json("a whole second", "POST", "/payments", payment(whole, "3", "2025-07-15T12:34:56.000Z")),
                Call.json("three decimals", "POST", "/payments", payment(rounded, "10.125", "2025-07-15T12:00:00Z")),
                Call.json("the amount as a string", "POST", "/payments",
                        "{\"correlationId\":\"" + asString + "\",\"amount\":\"7.10\",\"requestedAt\":\"2025-07-15T12:00:00Z\"}"),
                new Call("the lookup", "GET", "/payments/" + stored, List.of(), null),
                new Call("a lookup with microseconds", "GET", "/payments/" + micros, List.of(), null),
                new Call("a lookup of an offset", "GET", "/payments/" + offset, List.of(), null),
                new Call("a lookup of a whole second", "GET", "/payments/" + whole, List.of(), null),
                new Call("a lookup of a rounded amount", "GET", "/payments/" + rounded, List.of(), null),
                new Call("a lookup of a string amount", "GET", "/payments/" + asString, List.of(), null),
                new Call("a lookup by the N format", "GET", "/payments/" + stored.toString().replace("-", ""), List.of(), null),
                new Call("an unknown payment", "GET", "/payments/" + UUID.randomUUID(), List.of(), null),
                new Call("not a GUID", "GET", "/payments/not-a-guid", List.of(), null)));
    }

    @Test
    void malformedPaymentsAnswerTheSame() throws IOException {
        UUID id = UUID.randomUUID();
        assertSameAnswers(List.of(
                Call.json("broken JSON", "POST", "/payments", "{\"correlationId\":"),
                Call.json("an empty body", "POST", "/payments", ""),
                Call.json("an array", "POST", "/payments", "[]"),
                Call.json("a bad id", "POST", "/payments", payment(null, "1", "2025-07-15T12:00:00Z").replace("null", "nope")),
                Call.json("a numeric id", "POST", "/payments", "{\"correlationId\":5,\"amount\":1}"),
                Call.json("a bad amount", "POST", "/payments", payment(id, "\"lots\"", "2025-07-15T12:00:00Z")),
                Call.json("a bad requestedAt", "POST", "/payments", payment(id, "1", "yesterday")),
                new Call("no content type", "POST", "/payments", List.of(), payment(id, "1", "2025-07-15T12:00:00Z")),
                new Call("a text content type", "POST", "/payments", List.of("Content-Type: text/plain"),
                        payment(id, "1", "2025-07-15T12:00:00Z"))));
    }

    @Test
    void adminEndpointsAndRoutingAnswerTheSame() throws IOException {
        assertSameAnswers(List.of(
                new Call("a summary without the token", "GET", "/admin/payments-summary", List.of(), null),
                Call.admin("a summary with a bad bound", "GET", "/admin/payments-summary?from=soon&to=later", null),
                Call.admin("a delay", "PUT", "/admin/configurations/delay", "{\"delay\":0}"),
                Call.admin("a fractional delay", "PUT", "/admin/configurations/delay", "{\"delay\":1.5}"),
                Call.admin("a failure switch", "PUT", "/admin/configurations/failure", "{\"failure\":false}"),
                Call.admin("a bad failure switch", "PUT", "/admin/configurations/failure", "{\"failure\":\"yes\"}"),
                new Call("a delay without the token", "PUT", "/admin/configurations/delay",
                        List.of("Content-Type: application/json"), "{\"delay\":0}"),
                new Call("an unknown path", "GET", "/nothing", List.of(), null),
                new Call("a wrong method", "DELETE", "/payments", List.of(), null),
                new Call("a wrong method on a lookup", "POST", "/payments/" + UUID.randomUUID(), List.of(), null),
                new Call("health", "GET", "/payments/service-health", List.of(), null)));
    }

    @Test
    void summariesAndPurgeAnswerTheSame() throws IOException {
        UUID inside = UUID.randomUUID();
        UUID outside = UUID.randomUUID();
        assertSameAnswers(List.of(
                Call.admin("purge first", "POST", "/admin/purge-payments", null),
                Call.json("a payment inside", "POST", "/payments", payment(inside, "20.05", "2030-01-01T00:00:01.000Z")),
                Call.json("a payment outside", "POST", "/payments", payment(outside, "19.90", "2030-01-01T00:00:09.000Z")),
                Call.admin("a summary over a window", "GET",
                        "/admin/payments-summary?from=2030-01-01T00:00:00.000Z&to=2030-01-01T00:00:01.000Z", null),
                Call.admin("a summary with one bound", "GET", "/admin/payments-summary?from=2030-01-01T00:00:05.000Z", null),
                Call.admin("purge", "POST", "/admin/purge-payments", null),
                Call.admin("a summary after purge", "GET", "/admin/payments-summary", null)));
    }

    /** Four health calls at once: one answered, two queued for the next windows, one refused. */
    private static List<String> healthBurst(URI base) throws Exception {
        List<java.util.concurrent.Future<Answer>> calls = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit(() -> exchange(base, "GET", "/payments/service-health", List.of(), null)));
            }
            List<String> answers = new ArrayList<>();
            for (var call : calls) {
                Answer a = call.get();
                answers.add(a.status() + " " + a.retryAfter() + " " + a.body());
            }
            answers.sort(null);
            return answers;
        }
    }

    @Test
    void theHealthRateLimitAnswersTheSame() throws Exception {
        Thread.sleep(2_100); // both windows fresh
        List<String> expected = healthBurst(reference.baseUri());
        Thread.sleep(2_100);
        assertThat(healthBurst(emulator.baseUri())).isEqualTo(expected);
        assertThat(expected).filteredOn(a -> a.startsWith("429")).hasSize(1);
    }

    @Test
    void theDelayComesBeforeTheFailureOnBoth() throws Exception {
        String delay = "{\"delay\":300}";
        String failing = "{\"failure\":true}";
        for (URI base : List.of(reference.baseUri(), emulator.baseUri())) {
            List<String> admin = List.of("X-Rinha-Token: 123", "Content-Type: application/json");
            exchange(base, "PUT", "/admin/configurations/delay", admin, delay);
            exchange(base, "PUT", "/admin/configurations/failure", admin, failing);
            long started = System.nanoTime();
            Answer answer = exchange(base, "POST", "/payments", List.of("Content-Type: application/json"),
                    payment(UUID.randomUUID(), "1", "2025-07-15T12:00:00Z"));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            exchange(base, "PUT", "/admin/configurations/delay", admin, "{\"delay\":0}");
            exchange(base, "PUT", "/admin/configurations/failure", admin, "{\"failure\":false}");
            assertThat(answer.status()).as(base.toString()).isEqualTo(500);
            assertThat(answer.body()).isEmpty();
            assertThat(tookMillis).as("the 500 comes after the delay").isGreaterThanOrEqualTo(300);
        }
    }

    /**
     * 800 payments in progress and 500 waiting is all the processor takes: with every call held by
     * a delay, the 1,301st and later are refused at once with 429 and a {@code Retry-After} of the
     * rate-limit window (5 s on the contest's processor, 1 s as both are started here).
     */
    @Test
    void theConcurrencyLimitAnswersTheSame() throws Exception {
        Map<String, Long> expected = burstBehindADelay(reference.baseUri());
        assertThat(burstBehindADelay(emulator.baseUri())).isEqualTo(expected);
        assertThat(expected).containsEntry("429 Retry-After 1", (long) (BURST - 1300));
    }

    private static final int BURST = 1400;

    /** {@link #BURST} payments at once while each is held 3 s; their answers counted by status and Retry-After. */
    private static Map<String, Long> burstBehindADelay(URI base) throws Exception {
        List<String> admin = List.of("X-Rinha-Token: 123", "Content-Type: application/json");
        exchange(base, "PUT", "/admin/configurations/delay", admin, "{\"delay\":3000}");
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                String body = payment(UUID.randomUUID(), "1", "2025-07-15T12:00:00Z");
                answers.add(clients.submit(() -> exchange(base, "POST", "/payments",
                        List.of("Content-Type: application/json"), body, Duration.ofSeconds(30))));
            }
            Map<String, Long> counts = new TreeMap<>();
            for (Future<Answer> future : answers) {
                Answer answer = future.get();
                counts.merge(answer.status() + (answer.retryAfter() == null ? "" : " Retry-After " + answer.retryAfter()),
                        1L, Long::sum);
            }
            return counts;
        } finally {
            exchange(base, "PUT", "/admin/configurations/delay", admin, "{\"delay\":0}");
        }
    }
}
