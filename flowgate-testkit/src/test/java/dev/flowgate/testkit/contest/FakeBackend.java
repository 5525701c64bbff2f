package dev.flowgate.testkit.contest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simplest backend the contest accepts, for tests: each POST /payments goes synchronously to
 * the default processor, and to the fallback if the default answers 500 (nothing was stored then);
 * 202 once one of them stored it, 500 otherwise. The summary counts what it paid, by the
 * {@code requestedAt} it sent. Nothing is queued, so at the end nothing is left to settle.
 */
final class FakeBackend implements AutoCloseable {

    record Paid(String processor, Instant requestedAt, BigDecimal amount) {
    }

    private static final Pattern ID = Pattern.compile("\"correlationId\"\\s*:\\s*\"([0-9a-f-]{36})\"");
    private static final Pattern AMOUNT = Pattern.compile("\"amount\"\\s*:\\s*([0-9.]+)");
    private static final DateTimeFormatter MILLIS = new DateTimeFormatterBuilder().appendInstant(3).toFormatter();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client = HttpClient.newBuilder().executor(executor).build();
    private final Map<String, URI> processors;
    private final ConcurrentLinkedQueue<Paid> paid = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
    private final AtomicInteger purges = new AtomicInteger();

    FakeBackend(URI defaultProcessor, URI fallbackProcessor) throws IOException {
        this.processors = Map.of("default", defaultProcessor, "fallback", fallbackProcessor);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(executor);
        server.createContext("/payments", this::payment);
        server.createContext("/payments-summary", this::summary);
        server.createContext("/purge-payments", exchange -> {
            try (exchange) {
                paid.clear();
                purges.incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Paid> paid() {
        return List.copyOf(paid);
    }

    List<String> bodies() {
        return List.copyOf(bodies);
    }

    int purges() {
        return purges.get();
    }

    long count(String processor) {
        return paid.stream().filter(p -> p.processor().equals(processor)).count();
    }

    private void payment(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            bodies.add(body);
            Matcher id = ID.matcher(body);
            Matcher amount = AMOUNT.matcher(body);
            if (!exchange.getRequestMethod().equals("POST") || !id.find() || !amount.find()) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            for (String processor : List.of("default", "fallback")) {
                Instant requestedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                int status = forward(processor, id.group(1), amount.group(1), requestedAt);
                if (status == 200) {
                    paid.add(new Paid(processor, requestedAt, new BigDecimal(amount.group(1))));
                    exchange.sendResponseHeaders(202, -1);
                    return;
                }
                if (status != 500) {
                    break;
                }
            }
            exchange.sendResponseHeaders(500, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int forward(String processor, String id, String amount, Instant requestedAt)
            throws IOException, InterruptedException {
        String json = "{\"correlationId\":\"" + id + "\",\"amount\":" + amount
                + ",\"requestedAt\":\"" + MILLIS.format(requestedAt) + "\"}";
        HttpRequest request = HttpRequest.newBuilder(processors.get(processor).resolve("/payments"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void summary(HttpExchange exchange) throws IOException {
        try (exchange) {
            Instant from = parameter(exchange.getRequestURI().getRawQuery(), "from");
            Instant to = parameter(exchange.getRequestURI().getRawQuery(), "to");
            StringBuilder json = new StringBuilder("{");
            for (String processor : List.of("default", "fallback")) {
                long count = 0;
                BigDecimal amount = BigDecimal.ZERO;
                for (Paid payment : paid) {
                    Instant at = payment.requestedAt();
                    if (payment.processor().equals(processor)
                            && (from == null || !at.isBefore(from)) && (to == null || !at.isAfter(to))) {
                        count++;
                        amount = amount.add(payment.amount());
                    }
                }
                json.append(json.length() > 1 ? "," : "").append('"').append(processor).append("\":{\"totalRequests\":")
                        .append(count).append(",\"totalAmount\":").append(amount.toPlainString()).append('}');
            }
            byte[] answer = json.append('}').toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    private static Instant parameter(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return Instant.parse(URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8));
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        client.shutdownNow();
    }
}
