package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.Flowgate;
import dev.flowgate.FlowgateConfig;
import dev.flowgate.ProcessorConfig;
import dev.flowgate.routing.RoutingPolicy;
import dev.flowgate.server.api.AdminAccess;
import dev.flowgate.server.api.ApiHandler;
import dev.flowgate.server.http.HttpLimits;
import dev.flowgate.server.http.HttpServer;
import dev.flowgate.server.metrics.MicrometerMetrics;
import dev.flowgate.testkit.processor.ProcessorEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A Flowgate server on an ephemeral loopback port, with two processor emulators ("default" at 5 %,
 * "fallback" at 15 %) running as real HTTP servers: what the integration tests talk to.
 */
final class Harness implements AutoCloseable {
    final ProcessorEmulator defaultProcessor;
    final ProcessorEmulator fallbackProcessor;
    final Flowgate engine;
    final MicrometerMetrics metrics = new MicrometerMetrics();
    final HttpServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Health polls every 250 ms against emulators whose health window is 200 ms: the contest, 20 times faster. */
    static final Duration HEALTH_INTERVAL = Duration.ofMillis(250);

    private Harness(Path dataDir, UnaryOperator<FlowgateConfig.Builder> tune, AdminAccess admin,
                    UnaryOperator<ProcessorEmulator.Options> emulator) throws IOException {
        ProcessorEmulator.Options options = ProcessorEmulator.Options.defaults()
                .withHealthRateLimit(Duration.ofMillis(200), 2);
        defaultProcessor = ProcessorEmulator.start(emulator.apply(options.withFee(new BigDecimal("0.07"))));
        fallbackProcessor = ProcessorEmulator.start(options.withFee(new BigDecimal("0.10")));
        FlowgateConfig.Builder config = FlowgateConfig.builder()
                .dataDir(dataDir)
                .processors(List.of(
                        new ProcessorConfig("default", defaultProcessor.baseUri(), new BigDecimal("0.07")),
                        new ProcessorConfig("fallback", fallbackProcessor.baseUri(), new BigDecimal("0.10"))))
                .routing(new RoutingPolicy(0.02, 1024, Duration.ofMillis(200), Duration.ofSeconds(3), HEALTH_INTERVAL))
                .workers(64);
        FlowgateConfig built = tune.apply(config).build();
        engine = Flowgate.start(built, metrics);
        metrics.watch(engine::status, built.processors().stream().map(ProcessorConfig::name).toList());
        server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), HttpLimits.defaults(),
                ApiHandler.of(engine, metrics, admin));
    }

    static Harness start(Path dataDir) throws IOException {
        return new Harness(dataDir, UnaryOperator.identity(), new AdminAccess.LoopbackOnly(), UnaryOperator.identity());
    }

    static Harness start(Path dataDir, UnaryOperator<FlowgateConfig.Builder> tune) throws IOException {
        return new Harness(dataDir, tune, new AdminAccess.LoopbackOnly(), UnaryOperator.identity());
    }

    static Harness withAdminToken(Path dataDir, String token) throws IOException {
        return new Harness(dataDir, UnaryOperator.identity(), new AdminAccess.Token(token), UnaryOperator.identity());
    }

    /** With the default processor's emulator options changed, e.g. a smaller concurrency limit. */
    static Harness withDefaultEmulator(Path dataDir, UnaryOperator<ProcessorEmulator.Options> emulator) throws IOException {
        return new Harness(dataDir, UnaryOperator.identity(), new AdminAccess.LoopbackOnly(), emulator);
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    HttpResponse<String> post(String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request.build());
    }

    HttpResponse<String> pay(UUID id, String amount) {
        return post("/payments", "application/json", "{\"correlationId\":\"" + id + "\",\"amount\":" + amount + "}");
    }

    HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits (polling, up to {@code timeout}) for a condition; fails the test if it never holds. */
    /** An RFC 9457 problem with this status, as every refusal is. */
    static void assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("\"status\":" + status).contains("\"detail\":");
    }

    static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** True once no payment is queued or in flight. */
    boolean drained() {
        var status = engine.status();
        return status.queued() == 0 && status.inFlight() == 0;
    }

    @Override
    public void close() {
        server.close();
        engine.close();
        defaultProcessor.close();
        fallbackProcessor.close();
    }
}
