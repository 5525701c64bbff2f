package dev.flowgate.testkit.contest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.flowgate.testkit.load.Ticker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoopbackHttpTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/base/chunked", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, 0);
                exchange.getResponseBody().write("{\"a\":".getBytes(StandardCharsets.UTF_8));
                exchange.getResponseBody().flush();
                exchange.getResponseBody().write("1}".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/base/echo", exchange -> {
            try (exchange) {
                byte[] body = (exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                        + exchange.getRequestHeaders().getFirst("X-Rinha-Token") + " "
                        + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(201, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsAChunkedBody() throws Exception {
        LoopbackHttp.Answer answer = http().call("GET", "/chunked", Map.of(), new byte[0], TIMEOUT);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.text()).isEqualTo("{\"a\":1}");
    }

    @Test
    void sendsMethodPathHeadersAndBodyUnderTheBasePath() throws Exception {
        LoopbackHttp.Answer answer = http().call("PUT", "/echo?x=1", Map.of("X-Rinha-Token", "123"),
                "{\"delay\":5}".getBytes(StandardCharsets.UTF_8), TIMEOUT);

        assertThat(answer.ok()).isTrue();
        assertThat(answer.text()).isEqualTo("PUT /base/echo?x=1 123 {\"delay\":5}");
    }

    @Test
    void onlyPlainHttpOnLoopback() {
        assertThatThrownBy(() -> new LoopbackHttp(URI.create("http://192.0.2.1:9999"), Ticker.SYSTEM))
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> new LoopbackHttp(URI.create("https://127.0.0.1:9999"), Ticker.SYSTEM))
                .hasMessageContaining("plain http");
        assertThatThrownBy(() -> new LoopbackHttp(URI.create("http://127.0.0.1:9999/?q=1"), Ticker.SYSTEM))
                .hasMessageContaining("no query");
    }

    private LoopbackHttp http() {
        return new LoopbackHttp(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/base/"), Ticker.SYSTEM);
    }
}
