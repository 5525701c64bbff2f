package dev.flowgate.testkit.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongToIntFunction;

/**
 * A stand-in for Flowgate in tests: answers POST /payments on 127.0.0.1 with the status chosen for
 * the n-th request it receives (counting from 0), and keeps every body it got.
 */
final class PaymentsServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final LongToIntFunction statusOfRequest;
    private final AtomicLong received = new AtomicLong();
    private final ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
    private final Map<Integer, LongAdder> answered = new ConcurrentHashMap<>();

    private PaymentsServer(LongToIntFunction statusOfRequest) throws IOException {
        this.statusOfRequest = statusOfRequest;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/payments", this::handle);
        server.start();
    }

    /** Answers 202 to every request. */
    static PaymentsServer accepting() throws IOException {
        return new PaymentsServer(n -> 202);
    }

    static PaymentsServer answering(LongToIntFunction statusOfRequest) throws IOException {
        return new PaymentsServer(statusOfRequest);
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    int port() {
        return server.getAddress().getPort();
    }

    List<String> bodies() {
        return List.copyOf(bodies);
    }

    Map<Integer, Long> answeredByStatus() {
        Map<Integer, Long> counts = new TreeMap<>();
        answered.forEach((status, count) -> counts.put(status, count.sum()));
        return counts;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            if (!exchange.getRequestMethod().equals("POST")
                    || !"application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            bodies.add(new String(body.readAllBytes(), StandardCharsets.UTF_8));
            int status = statusOfRequest.applyAsInt(received.getAndIncrement());
            answered.computeIfAbsent(status, code -> new LongAdder()).increment();
            byte[] answer = status == 202 ? new byte[0] : "{\"error\":\"boom\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
