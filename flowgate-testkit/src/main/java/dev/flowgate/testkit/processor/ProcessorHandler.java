package dev.flowgate.testkit.processor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.flowgate.testkit.processor.HealthPacer.Decision;
import dev.flowgate.testkit.processor.ProcessorEmulator.StoredPayment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routes the processor's endpoints and answers them as the contest's processor does. Each request
 * runs on its own virtual thread, so the configured delay is a plain sleep. Order of checks: unknown
 * path (404), wrong method (405), admin token (401), concurrency or rate limit (429), body size
 * (413), body syntax (400), then the endpoint itself.
 */
final class ProcessorHandler implements HttpHandler {
    /** Far above any real body (a payment is ~120 bytes); caps what a hostile client makes us hold. */
    private static final int MAX_BODY_BYTES = 64 * 1024;
    /**
     * How much of an oversized body is read and thrown away before answering 413: closing a socket
     * with unread input makes the kernel send a reset, which can destroy the 413 before the client
     * reads it. Bodies announced beyond this are refused unread and may get the reset.
     */
    private static final int DRAIN_BYTES = 1024 * 1024;
    /** The contest's processor sends this on every 429. */
    private static final String RETRY_AFTER_SECONDS = "5";
    private static final String TOKEN_HEADER = "X-Rinha-Token";
    private static final String PAYMENT_PREFIX = "/payments/";

    private final PaymentBook book;
    private final Switches switches;
    private final ConcurrencyGate gate;
    private final HealthPacer pacer;
    private final Clock clock;
    private final LongAdder paymentPosts;
    private final RequestBodies requests = new RequestBodies();
    private final ResponseBodies responses = new ResponseBodies();

    ProcessorHandler(PaymentBook book, Switches switches, ConcurrencyGate gate, HealthPacer pacer, Clock clock, LongAdder paymentPosts) {
        this.book = book;
        this.switches = switches;
        this.gate = gate;
        this.pacer = pacer;
        this.clock = clock;
        this.paymentPosts = paymentPosts;
    }

    @Override
    public void handle(HttpExchange exchange) {
        try (exchange) {
            serve(exchange);
        } catch (IOException e) {
            // The client went away (or gave up waiting); there is nobody left to answer.
        } catch (InterruptedException e) {
            // The emulator is closing: the request is dropped, stored or not.
            Thread.currentThread().interrupt();
        }
    }

    private void serve(HttpExchange exchange) throws IOException, InterruptedException {
        String path = exchange.getRequestURI().getRawPath();
        Route route = Route.of(path);
        if (route == null) {
            reply(exchange, 404, responses.message("no such endpoint: " + path));
            return;
        }
        if (!route.method.equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", route.method);
            reply(exchange, 405, responses.message(path + " accepts only " + route.method));
            return;
        }
        try {
            if (route.admin && !switches.tokenMatches(exchange.getRequestHeaders().getFirst(TOKEN_HEADER))) {
                throw RequestRefused.unauthorized();
            }
            switch (route) {
                case PAYMENTS -> postPayment(exchange);
                case HEALTH -> health(exchange);
                case PAYMENT_BY_ID -> getPayment(exchange, path.substring(PAYMENT_PREFIX.length()));
                case SUMMARY -> summary(exchange);
                case TOKEN -> {
                    switches.replaceToken(requests.token(readBody(exchange)));
                    exchange.sendResponseHeaders(204, -1);
                }
                case DELAY -> {
                    int is = requests.delayMillis(readBody(exchange));
                    reply(exchange, 200, responses.delayChanged(switches.replaceDelayMillis(is), is));
                }
                case FAILURE -> {
                    boolean is = requests.failure(readBody(exchange));
                    reply(exchange, 200, responses.failureChanged(switches.replaceFailing(is), is));
                }
                case PURGE -> {
                    book.purge();
                    reply(exchange, 200, responses.message("All payments purged."));
                }
            }
        } catch (RequestRefused refused) {
            reply(exchange, refused.status(), responses.message(refused.getMessage()));
        }
    }

    private void postPayment(HttpExchange exchange) throws IOException, InterruptedException, RequestRefused {
        paymentPosts.increment();
        if (!gate.enter()) {
            tooManyRequests(exchange);
            return;
        }
        try {
            StoredPayment payment = requests.payment(readBody(exchange));
            // The processor sleeps before anything else and nothing cancels the sleep: a client that
            // times out still has its payment stored afterwards (see the spec's consequences).
            Thread.sleep(switches.delay());
            if (switches.failing()) {
                reply(exchange, 500, responses.message("payment processor is failing"));
            } else if (!book.store(payment)) {
                reply(exchange, 422, responses.message("correlationId already processed: " + payment.correlationId()));
            } else {
                reply(exchange, 200, responses.message("payment processed successfully"));
            }
        } finally {
            gate.exit();
        }
    }

    private void getPayment(HttpExchange exchange, String rawId) throws IOException, InterruptedException, RequestRefused {
        if (!gate.enter()) {
            tooManyRequests(exchange);
            return;
        }
        try {
            UUID id = RequestBodies.canonicalUuid(rawId);
            if (id == null) {
                throw RequestRefused.badRequest("not a UUID: " + rawId);
            }
            Optional<StoredPayment> payment = book.find(id);
            if (payment.isPresent()) {
                reply(exchange, 200, responses.payment(payment.get()));
            } else {
                reply(exchange, 404, responses.message("no payment " + id));
            }
        } finally {
            gate.exit();
        }
    }

    private void health(HttpExchange exchange) throws IOException, InterruptedException {
        switch (pacer.decide(clock.instant())) {
            case Decision.Reject _ -> {
                tooManyRequests(exchange);
                return;
            }
            case Decision.ServeAt(Instant at) -> {
                Duration wait = Duration.between(clock.instant(), at);
                if (wait.isPositive()) {
                    Thread.sleep(wait);
                }
            }
            case Decision.ServeNow _ -> {
            }
        }
        // Read the switches when answering, not when the call arrived: a queued call reports the
        // state at the time it is served, as the processor's does.
        reply(exchange, 200, responses.health(switches.failing(), switches.delayMillis()));
    }

    private void summary(HttpExchange exchange) throws IOException, RequestRefused {
        String query = exchange.getRequestURI().getRawQuery();
        Instant from = instantParameter(query, "from");
        Instant to = instantParameter(query, "to");
        // The spec: a window only when both bounds are given, otherwise every payment.
        boolean window = from != null && to != null;
        reply(exchange, 200, responses.summary(window ? book.summarize(from, to) : book.summarize(null, null)));
    }

    /** The named query parameter as an instant; null when absent or empty. */
    private static Instant instantParameter(String rawQuery, String name) throws RequestRefused {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (!key.equals(name)) {
                continue;
            }
            String value = "";
            try {
                value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                return value.isEmpty() ? null : Instants.parse(value);
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw RequestRefused.badRequest(name + " must be an ISO-8601 instant such as 2025-07-15T12:34:56.000Z, got " + value);
            }
        }
        return null;
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException, RequestRefused {
        if (declaredLength(exchange) > DRAIN_BYTES) {
            // Refused without reading: waiting for a body this size would let one client pin a thread.
            throw RequestRefused.tooLarge(MAX_BODY_BYTES);
        }
        InputStream in = exchange.getRequestBody();
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            byte[] sink = new byte[8192];
            int drained = 0;
            int read;
            while (drained < DRAIN_BYTES && (read = in.read(sink)) >= 0) {
                drained += read;
            }
            throw RequestRefused.tooLarge(MAX_BODY_BYTES);
        }
        return body;
    }

    /** The Content-Length the client announced, or -1 (chunked, absent; the server refuses malformed ones). */
    private static long declaredLength(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Content-Length");
        try {
            return header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void tooManyRequests(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Retry-After", RETRY_AFTER_SECONDS);
        exchange.sendResponseHeaders(429, -1);
    }

    private static void reply(HttpExchange exchange, int status, byte[] json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (exchange.getRequestMethod().equals("HEAD")) {
            // No route accepts HEAD, but its 404 or 405 must come without a body.
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    /** The processor's endpoints, each with the one method it accepts. */
    private enum Route {
        PAYMENTS("POST", false),
        HEALTH("GET", false),
        PAYMENT_BY_ID("GET", false),
        SUMMARY("GET", true),
        TOKEN("PUT", true),
        DELAY("PUT", true),
        FAILURE("PUT", true),
        PURGE("POST", true);

        final String method;
        final boolean admin;

        Route(String method, boolean admin) {
            this.method = method;
            this.admin = admin;
        }

        static Route of(String path) {
            return switch (path) {
                case "/payments" -> PAYMENTS;
                case "/payments/service-health" -> HEALTH;
                case "/admin/payments-summary" -> SUMMARY;
                case "/admin/configurations/token" -> TOKEN;
                case "/admin/configurations/delay" -> DELAY;
                case "/admin/configurations/failure" -> FAILURE;
                case "/admin/purge-payments" -> PURGE;
                default -> isPaymentById(path) ? PAYMENT_BY_ID : null;
            };
        }

        private static boolean isPaymentById(String path) {
            return path.startsWith(PAYMENT_PREFIX)
                    && path.length() > PAYMENT_PREFIX.length()
                    && path.indexOf('/', PAYMENT_PREFIX.length()) < 0;
        }
    }
}
