package dev.flowgate.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against a scripted server on loopback: each answer is written byte for byte by the test. */
class HttpClientTest {
    private final HttpClient http = HttpClient.builder().connectTimeout(Duration.ofSeconds(1))
            .requestTimeout(Duration.ofSeconds(2)).redactHeader("X-Api-Key").build();
    private final ScriptedServer server = new ScriptedServer();

    @AfterEach
    void stop() throws IOException {
        http.close();
        server.close();
    }

    @Test
    void aPostCarriesItsHeadersAndBodyAndTheAnswerIsReadWhole() throws Exception {
        server.answer("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}");
        HttpResponse response = http.send(HttpRequest.post(server.uri("/v1/charges?expand=x"), "application/json",
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8)).withHeader("Idempotency-Key", "k-1"));

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.header("content-type")).isEqualTo("application/json");
        assertThat(response.bodyText()).isEqualTo("{\"ok\":true}");
        assertThat(server.requests()).singleElement().satisfies(request -> assertThat(request)
                .startsWith("POST /v1/charges?expand=x HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n")
                .contains("\r\nContent-Type: application/json\r\n", "\r\nIdempotency-Key: k-1\r\n",
                        "\r\nContent-Length: 7\r\n\r\n{\"a\":1}"));
    }

    @Test
    void aKeptAliveConnectionIsReused() throws Exception {
        server.answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("a");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("b");
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void aConnectionTheServerClosesIsNotReused() throws Exception {
        server.answer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na");
        server.answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("a");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("b");
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void aGetOnAPooledConnectionTheServerDroppedIsSentAgainOnAFreshOne() throws Exception {
        server.answerThenDrop("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        server.answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("a");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("b");
    }

    @Test
    void aPostOnAPooledConnectionTheServerDroppedIsNeverSentTwice() throws Exception {
        server.answerThenDrop("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na");
        server.answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("a");
        HttpRequest post = HttpRequest.post(server.uri("/pay"), "application/json", new byte[] {'{', '}'});
        assertThatThrownBy(() -> http.send(post)).isInstanceOf(IOException.class)
                .isNotInstanceOf(ConnectFailedException.class);
        assertThat(server.requests()).noneMatch(r -> r.startsWith("POST"));
    }

    @Test
    void chunkedAndCloseDelimitedBodiesAreRead() throws Exception {
        server.answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n");
        server.answerThenDrop("HTTP/1.0 200 OK\r\n\r\nuntil the end");
        assertThat(http.send(HttpRequest.get(server.uri("/c"))).bodyText()).isEqualTo("hello world");
        assertThat(http.send(HttpRequest.get(server.uri("/c"))).bodyText()).isEqualTo("until the end");
    }

    @Test
    void transferEncodingOverridesContentLengthAndABodyNotChunkedLastEndsAtClose() throws Exception {
        server.answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        server.answerThenDrop("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: gzip\r\n\r\nabcdef");
        assertThat(http.send(HttpRequest.get(server.uri("/c"))).bodyText()).isEqualTo("abc");
        assertThat(http.send(HttpRequest.get(server.uri("/c"))).bodyText()).isEqualTo("abcdef");
    }

    @Test
    void aCloseAmongTheConnectionHeadersTokensIsHeard() throws Exception {
        server.answer("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 1\r\n\r\na");
        server.answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("a");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("b");
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void aConnectionWithBytesBeyondTheAnswerIsNotReused() throws Exception {
        server.answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale");
        server.answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("a");
        assertThat(http.send(HttpRequest.get(server.uri("/x"))).bodyText()).isEqualTo("b");
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void interimAnswersAreSkippedAndA204HasNoBody() throws Exception {
        server.answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(http.send(HttpRequest.get(server.uri("/a"))).body()).isEmpty();
        assertThat(http.send(HttpRequest.get(server.uri("/b"))).bodyText()).isEqualTo("ok");
    }

    @Test
    void anAnswerArrivingOneByteAtATimeIsRead() throws Exception {
        server.answerSlowly("HTTP/1.1 429 Too Many Requests\r\nretry-AFTER:  7 \r\nCONTENT-LENGTH: 2\r\n\r\n{}");
        HttpResponse response = http.send(HttpRequest.get(server.uri("/slow")));
        assertThat(response.status()).isEqualTo(429);
        assertThat(response.header("Retry-After")).isEqualTo("7");
        assertThat(response.bodyText()).isEqualTo("{}");
    }

    @Test
    void aRefusedConnectionIsAConnectFailureNothingWasSent() throws Exception {
        URI closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/x");
        }
        URI target = closed;
        assertThatThrownBy(() -> http.send(HttpRequest.get(target))).isInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("cannot connect to 127.0.0.1:");
    }

    @Test
    void noCompleteAnswerWithinTheRequestsTimeoutIsATimeout() throws Exception {
        server.answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
        HttpRequest request = HttpRequest.get(server.uri("/x")).withTimeout(Duration.ofMillis(200));
        assertThatThrownBy(() -> http.send(request)).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void hostileAnswersAreIoErrorsNotCrashes() throws Exception {
        for (String answer : List.of("garbage\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "HTTP/1.1 200 OK\r\nX: " + "a".repeat(9000) + "\r\n\r\n",
                "HTTP/1.1 200 OK\r\n" + "X: 1\r\n".repeat(101) + "\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffff\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800000\r\n" + "a".repeat(0x800000) + "\r\n1\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")) {
            server.answerThenDrop(answer);
            assertThat(catchThrowable(() -> http.send(HttpRequest.get(server.uri("/x")))))
                    .as(answer.substring(0, Math.min(40, answer.length()))).isInstanceOf(IOException.class);
        }
    }

    @Test
    void requestsThatWouldSmuggleHeadersOrMissTheirTargetAreRefusedBeforeSending() {
        URI uri = URI.create("http://127.0.0.1:1/x");
        assertThatThrownBy(() -> HttpRequest.get(uri).withHeader("X-A", "1\r\nX-B: 2"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpRequest.get(uri).withHeader("Bad Name", "1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpRequest.get(uri).withHeader("Content-Length", "5"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpRequest.get(URI.create("ftp://127.0.0.1/x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpRequest.get(URI.create("/relative"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpRequest("get me", uri, List.of(), null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpRequest.get(uri).withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sendAsyncAnswersOnAVirtualThreadAndFailsWithWhatSendThrows() throws Exception {
        server.answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(http.sendAsync(HttpRequest.get(server.uri("/x"))).get(5, TimeUnit.SECONDS).bodyText()).isEqualTo("ok");
        URI closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/x");
        }
        var failed = http.sendAsync(HttpRequest.get(closed));
        assertThatThrownBy(() -> failed.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ConnectFailedException.class);
    }

    @Test
    void credentialsAreRedactedFromWhatIsLogged() {
        HttpRequest request = HttpRequest.get(URI.create("http://127.0.0.1:1/x")).withHeader("Authorization", "Bearer sk_live_1")
                .withHeader("x-api-key", "secret-2").withHeader("Accept", "application/json");
        assertThat(http.redactedHeaders(request))
                .isEqualTo("Authorization: [redacted], x-api-key: [redacted], Accept: application/json")
                .doesNotContain("sk_live_1", "secret-2");
    }

    @Test
    void aClosedClientRefusesToSend() {
        http.close();
        assertThatThrownBy(() -> http.send(HttpRequest.get(server.uri("/x")))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void hostileSettingsAreRefused() {
        assertThatThrownBy(() -> HttpClient.builder().connectTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpClient.builder().requestTimeout(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpClient.builder().maxIdlePerOrigin(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpClient.builder().redactHeader("not a name")).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A server that answers the requests of each accepted connection with the scripts given to it,
     * in order, and records what it read.
     */
    private static final class ScriptedServer implements AutoCloseable {
        private record Script(List<String> answers, boolean dropAfter, boolean slowly) {
        }

        private final ServerSocket socket;
        private final java.util.concurrent.LinkedBlockingQueue<Script> scripts = new java.util.concurrent.LinkedBlockingQueue<>();
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();

        ScriptedServer() {
            try {
                socket = new ServerSocket(0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread.ofVirtual().start(this::acceptLoop);
        }

        /** The next connection answers its requests with these, one each, and is then held open. */
        void answer(String... answers) {
            scripts.add(new Script(List.of(answers), false, false));
        }

        /** The next connection answers one request and is then closed. */
        void answerThenDrop(String answer) {
            scripts.add(new Script(List.of(answer), true, false));
        }

        void answerSlowly(String answer) {
            scripts.add(new Script(List.of(answer), false, true));
        }

        int port() {
            return socket.getLocalPort();
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port() + path);
        }

        List<String> requests() {
            return requests;
        }

        int connections() {
            return connections.get();
        }

        private void acceptLoop() {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    connections.incrementAndGet();
                    Script script = scripts.take();
                    Thread.ofVirtual().start(() -> serve(connection, script));
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }

        private void serve(Socket connection, Script script) {
            try (connection) {
                InputStream in = connection.getInputStream();
                OutputStream out = connection.getOutputStream();
                for (String answer : script.answers()) {
                    requests.add(readRequest(in));
                    byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
                    if (script.slowly()) {
                        for (byte b : bytes) {
                            out.write(b);
                            out.flush();
                        }
                    } else {
                        out.write(bytes);
                        out.flush();
                    }
                }
                if (!script.dropAfter()) {
                    in.read(); // held open until the client closes it
                }
            } catch (IOException ignored) {
                // The test's assertions say what went wrong.
            }
        }

        /** One request: its head, then as many body bytes as its Content-Length says. */
        private static String readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            while (!read.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed");
                }
                read.write(b);
            }
            String head = read.toString(StandardCharsets.ISO_8859_1);
            int at = head.indexOf("Content-Length: ");
            if (at >= 0) {
                int length = Integer.parseInt(head.substring(at + 16, head.indexOf('\r', at)));
                read.write(in.readNBytes(length));
            }
            return read.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
