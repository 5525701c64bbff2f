package dev.flowgate.testkit.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

// Every run is bounded by a request limit or a sub-second duration; the timeouts only catch a hang.
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {

    private static final BigDecimal AMOUNT = new BigDecimal("19.90");
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final JsonFactory JSON = new JsonFactory();

    private static LoadOptions options(URI target, int connections, Duration duration, long maxRequests) {
        return new LoadOptions(target, connections, duration, maxRequests, 0, AMOUNT, Duration.ofSeconds(2), Duration.ZERO);
    }

    @Test
    void sendsTheRequestLimitWithValidDistinctBodies() throws Exception {
        try (var server = PaymentsServer.accepting()) {
            LoadReport report = LoadGenerator.run(options(server.uri(), 4, LONG, 40));

            assertThat(server.bodies()).hasSize(40);
            assertThat(report.requests()).isEqualTo(40);
            assertThat(report.countsByStatus()).containsExactly(Map.entry(202, 40L));
            assertThat(report.timeouts()).isZero();
            assertThat(report.ioErrors()).isZero();
            assertThat(report.p50Millis()).isPositive().isLessThanOrEqualTo(report.p99Millis());
            assertThat(report.p99Millis()).isLessThanOrEqualTo(report.maxMillis());
            Set<UUID> ids = new HashSet<>();
            for (String body : server.bodies()) {
                Payment payment = parse(body);
                assertThat(payment.amount()).isEqualTo(AMOUNT);
                assertThat(payment.correlationId().version()).isEqualTo(4);
                assertThat(ids.add(payment.correlationId())).as("distinct id in %s", body).isTrue();
            }
        }
    }

    @Test
    void countsAnswersByStatus() throws Exception {
        try (var server = PaymentsServer.answering(n -> n % 3 == 0 ? 500 : 202)) {
            LoadReport report = LoadGenerator.run(options(server.uri(), 3, LONG, 30));

            assertThat(report.countsByStatus())
                    .isEqualTo(server.answeredByStatus())
                    .isEqualTo(Map.of(202, 20L, 500, 10L));
            assertThat(report.requests()).isEqualTo(30);
        }
    }

    @Test
    void stopsAtTheDuration() throws Exception {
        try (var server = PaymentsServer.accepting()) {
            LoadReport report = LoadGenerator.run(options(server.uri(), 2, Duration.ofMillis(300), Long.MAX_VALUE));

            // Only lower bounds on time: a slow machine may take longer, never shorter.
            assertThat(report.seconds()).isGreaterThanOrEqualTo(0.3);
            assertThat(report.requests()).isPositive().isEqualTo(server.bodies().size());
        }
    }

    @Test
    void fixedRateSendsOnItsScheduleAndLeavesTheWarmupOut() throws Exception {
        try (var server = PaymentsServer.accepting()) {
            // 100/s for 0.5 s: requests are due at 0, 10, ..., 490 ms whenever they actually go out,
            // so exactly 50 are sent, and the 25 due from 250 ms on are recorded.
            var options = new LoadOptions(server.uri(), 2, Duration.ofMillis(500), Long.MAX_VALUE, 100, AMOUNT,
                    Duration.ofSeconds(2), Duration.ofMillis(250));

            LoadReport report = LoadGenerator.run(options);

            assertThat(server.bodies()).hasSize(50);
            assertThat(report.requests()).isEqualTo(25);
            assertThat(report.countsByStatus()).containsExactly(Map.entry(202, 25L));
        }
    }

    @Test
    void countsUnansweredRequestsAsTimeouts() throws Exception {
        try (var server = new RawHttpServer(0, false)) {
            var options = new LoadOptions(server.uri(), 1, LONG, 3, 0, AMOUNT, Duration.ofMillis(150), Duration.ZERO);

            LoadReport report = LoadGenerator.run(options);

            assertThat(report.timeouts()).isEqualTo(3);
            assertThat(report.requests()).isEqualTo(3);
            assertThat(report.countsByStatus()).isEmpty();
            // Each timeout gives up its connection.
            assertThat(server.connectionsOnceAtLeast(3)).isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "announced close: {0}")
    @ValueSource(booleans = {true, false})
    void reconnectsWhenTheServerClosesConnections(boolean announceClose) throws Exception {
        try (var server = new RawHttpServer(2, announceClose)) {
            LoadReport report = LoadGenerator.run(options(server.uri(), 2, LONG, 20));

            assertThat(report.countsByStatus()).containsExactly(Map.entry(202, 20L));
            assertThat(report.ioErrors()).isZero();
            assertThat(report.timeouts()).isZero();
            assertThat(server.answered()).isEqualTo(20);
            assertThat(server.connections()).isGreaterThanOrEqualTo(10);
        }
    }

    @Test
    void countsRefusedConnectionsAsErrors() throws Exception {
        URI closedPort;
        try (var server = new RawHttpServer(1, true)) {
            closedPort = server.uri();
        }
        LoadReport report = LoadGenerator.run(options(closedPort, 1, LONG, 3));

        assertThat(report.ioErrors()).isEqualTo(3);
        assertThat(report.throughputPerSecond()).isZero();
    }

    @Test
    void acceptsLocalhost() throws Exception {
        try (var server = PaymentsServer.accepting()) {
            LoadReport report = LoadGenerator.run(options(URI.create("http://localhost:" + server.port()), 1, LONG, 5));

            assertThat(report.countsByStatus()).containsExactly(Map.entry(202, 5L));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http://10.1.2.3:9999", "http://example.com", "http://[2001:db8::1]:9999", "http://0.0.0.0:9999"
    })
    void refusesTargetsOtherThanLoopback(String target) {
        // The check comes before any connection: an answer (or a hang) from these hosts is impossible.
        var options = options(URI.create(target), 1, LONG, 1);

        assertThatThrownBy(() -> LoadGenerator.run(options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("load tests only target loopback addresses: " + URI.create(target).getHost());
    }

    @Test
    void rejectsNonsensicalOptions() {
        URI target = URI.create("http://127.0.0.1:9999");
        Duration second = Duration.ofSeconds(1);
        Duration timeout = Duration.ofSeconds(2);

        assertThatThrownBy(() -> new LoadOptions(target, 0, second, 1, 0, AMOUNT, timeout, Duration.ZERO))
                .hasMessage("connections must be between 1 and 10000, got 0");
        assertThatThrownBy(() -> new LoadOptions(target, 10_001, second, 1, 0, AMOUNT, timeout, Duration.ZERO))
                .hasMessage("connections must be between 1 and 10000, got 10001");
        assertThatThrownBy(() -> new LoadOptions(target, 1, Duration.ZERO, 1, 0, AMOUNT, timeout, Duration.ZERO))
                .hasMessage("duration must be positive and at most 1 day, got 0.000 s");
        assertThatThrownBy(() -> new LoadOptions(target, 1, second, 0, 0, AMOUNT, timeout, Duration.ZERO))
                .hasMessage("the request limit must be positive, got 0");
        assertThatThrownBy(() -> new LoadOptions(target, 1, second, 1, -5, AMOUNT, timeout, Duration.ZERO))
                .hasMessage("rate must be 0 (closed loop) or positive, got -5");
        assertThatThrownBy(() -> new LoadOptions(target, 1, second, 1, 0, BigDecimal.ZERO, timeout, Duration.ZERO))
                .hasMessage("amount must be positive, got 0");
        assertThatThrownBy(() -> new LoadOptions(target, 1, second, 1, 0, AMOUNT, Duration.ZERO, Duration.ZERO))
                .hasMessage("timeout must be between 1 ms and 60 s, got 0.000 s");
        assertThatThrownBy(() -> new LoadOptions(target, 1, second, 1, 0, AMOUNT, timeout, second))
                .hasMessage("warmup (1.000 s) must be shorter than the duration (1.000 s)");
        assertThatThrownBy(() -> new LoadOptions(
                        URI.create("https://127.0.0.1:9999"), 1, second, 1, 0, AMOUNT, timeout, Duration.ZERO))
                .hasMessage("target must be an http:// URI: https://127.0.0.1:9999");
        assertThat(new LoadOptions(target, 1, second, 1, 0, AMOUNT, timeout, Duration.ZERO).connections()).isEqualTo(1);
    }

    private record Payment(UUID correlationId, BigDecimal amount) {
    }

    /** Strict: exactly the two fields, of the right types, in one JSON object. */
    private static Payment parse(String body) throws IOException {
        try (JsonParser parser = JSON.createParser(body)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            UUID id = null;
            BigDecimal amount = null;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "correlationId" -> {
                        assertThat(value).isEqualTo(JsonToken.VALUE_STRING);
                        id = UUID.fromString(parser.getText());
                    }
                    case "amount" -> {
                        assertThat(value).isEqualTo(JsonToken.VALUE_NUMBER_FLOAT);
                        amount = parser.getDecimalValue();
                    }
                    default -> throw new AssertionError("unexpected field " + field + " in " + body);
                }
            }
            assertThat(parser.nextToken()).as("nothing after the object").isNull();
            assertThat(id).as("correlationId in %s", body).isNotNull();
            assertThat(amount).as("amount in %s", body).isNotNull();
            return new Payment(id, amount);
        }
    }
}
