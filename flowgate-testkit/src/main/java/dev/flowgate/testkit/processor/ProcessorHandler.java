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
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routes the processor's endpoints and answers them as the contest's processor does (the reference
 * processor is the judge: a differential test sends both the same requests). Each request runs on
 * its own virtual thread, so the configured delay is a plain sleep. Paths are case-insensitive and
 * a trailing slash is ignored; an unknown path is a 404 and a wrong method a 405 with
 * {@code Allow}, both without a body. A payment or lookup first enters the concurrency limit (429);
 * an admin call binds its body (415, 400) before it checks the token (401). Errors have no body.
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
    private static final byte[] TOO_MANY = "Calm down, bitch. Try again later.".getBytes(StandardCharsets.UTF_8);
    private static final String JSON = "application/json; charset=utf-8";
    /** {@code GET /}: where the reference processor tells that it is ready. */
    private static final byte[] INDEX_PAGE = ("<!DOCTYPE html><html><head><title>Payment Processor</title></head>"
            + "<body><h1>Payment Processor (emulator)</h1></body></html>").getBytes(StandardCharsets.UTF_8);
    private static final String TOKEN_HEADER = "X-Rinha-Token";
    private static final String PAYMENT_PREFIX = "/payments/";

    private final PaymentBook book;
    private final Switches switches;
    private final ConcurrencyGate gate;
    private final HealthPacer pacer;
    private final Clock clock;
    private final LongAdder paymentPosts;
    /** The processor sends its rate limit's window, in whole seconds, on every 429. */
    private final String retryAfterSeconds;
    private final RequestBodies requests = new RequestBodies();
    private final ResponseBodies responses = new ResponseBodies();

    ProcessorHandler(PaymentBook book, Switches switches, ConcurrencyGate gate, HealthPacer pacer, Clock clock,
                     LongAdder paymentPosts, Duration healthWindow) {
        this.book = book;
        this.switches = switches;
        this.gate = gate;
        this.pacer = pacer;
        this.clock = clock;
        this.paymentPosts = paymentPosts;
        long millis = healthWindow.toMillis();
        this.retryAfterSeconds = Long.toString(Math.max(1, (millis + 999) / 1000));
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
        String raw = exchange.getRequestURI().getRawPath();
        String path = raw.length() > 1 && raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
        Route route = Route.of(path.toLowerCase(Locale.ROOT));
        if (route == null) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        if (!route.method.equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", route.method);
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        try {
            switch (route) {
                case INDEX -> reply(exchange, 200, "text/html", INDEX_PAGE);
                case PAYMENTS -> postPayment(exchange, contentType);
                case HEALTH -> health(exchange);
                case PAYMENT_BY_ID -> getPayment(exchange, path.substring(PAYMENT_PREFIX.length()));
                case SUMMARY -> summary(exchange);
                case TOKEN -> {
                    String token = requests.token(contentType, readBody(exchange));
                    authorize(exchange);
                    switches.replaceToken(token);
                    exchange.sendResponseHeaders(204, -1);
                }
                case DELAY -> {
                    int is = requests.delayMillis(contentType, readBody(exchange));
                    authorize(exchange);
                    json(exchange, 200, responses.delayChanged(switches.replaceDelayMillis(is), is));
                }
                case FAILURE -> {
                    boolean is = requests.failure(contentType, readBody(exchange));
                    authorize(exchange);
                    json(exchange, 200, responses.failureChanged(switches.replaceFailing(is), is));
                }
                case PURGE -> {
                    authorize(exchange);
                    book.purge();
                    json(exchange, 200, responses.message("All payments purged."));
                }
            }
        } catch (RequestRefused refused) {
            exchange.sendResponseHeaders(refused.status(), -1);
        }
    }

    private void authorize(HttpExchange exchange) throws RequestRefused {
        List<String> tokens = exchange.getRequestHeaders().get(TOKEN_HEADER);
        // Repeated headers reach the processor joined by commas.
        if (!switches.tokenMatches(tokens == null ? null : String.join(",", tokens))) {
            throw RequestRefused.unauthorized();
        }
    }

    private void postPayment(HttpExchange exchange, String contentType)
            throws IOException, InterruptedException, RequestRefused {
        paymentPosts.increment();
        if (!gate.enter()) {
            tooManyRequests(exchange);
            return;
        }
        try {
            StoredPayment payment = requests.payment(contentType, readBody(exchange));
            // The processor sleeps before anything else and nothing cancels the sleep: a client that
            // times out still has its payment stored afterwards (see the spec's consequences).
            Thread.sleep(switches.delay());
            if (switches.failing()) {
                exchange.sendResponseHeaders(500, -1);
            } else if (!book.store(payment)) {
                json(exchange, 422, responses.message("Payment could not be processed. CorrelationId already exists: "
                        + payment.correlationId() + ". Error details: Npgsql.PostgresException (0x80004005): 23505: "
                        + "duplicate key value violates unique constraint \"payments_pkey\""));
            } else {
                json(exchange, 200, responses.message("payment processed successfully"));
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
            UUID id = RequestBodies.routeGuid(rawId);
            if (id == null) {
                throw RequestRefused.badRequest("not a GUID: " + rawId);
            }
            Optional<StoredPayment> payment = book.find(id);
            if (payment.isPresent()) {
                json(exchange, 200, responses.payment(payment.get()));
            } else {
                exchange.sendResponseHeaders(404, -1);
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
        json(exchange, 200, responses.health(switches.failing(), switches.delayMillis()));
    }

    /** Bounds are read before the token is checked; a window only when both are given, otherwise every payment. */
    private void summary(HttpExchange exchange) throws IOException, RequestRefused {
        String query = exchange.getRequestURI().getRawQuery();
        Instant from = instantParameter(query, "from");
        Instant to = instantParameter(query, "to");
        authorize(exchange);
        boolean window = from != null && to != null;
        json(exchange, 200, responses.summary(window ? book.summarize(from, to) : book.summarize(null, null)));
    }

    /** The named query parameter (its first value; names case-insensitive) as an instant; null when absent or empty. */
    private static Instant instantParameter(String rawQuery, String name) throws RequestRefused {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = decode(equals < 0 ? pair : pair.substring(0, equals));
            if (!key.equalsIgnoreCase(name)) {
                continue;
            }
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            if (value.isEmpty()) {
                return null;
            }
            Instant instant = Instants.parse(value.strip());
            if (instant == null) {
                throw RequestRefused.badRequest(name + " is not a date and time: " + value);
            }
            return instant;
        }
        return null;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
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

    private void tooManyRequests(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Retry-After", retryAfterSeconds);
        reply(exchange, 429, null, TOO_MANY);
    }

    private static void json(HttpExchange exchange, int status, byte[] body) throws IOException {
        reply(exchange, status, JSON, body);
    }

    private static void reply(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The processor's endpoints, each with the one method it accepts. */
    private enum Route {
        INDEX("GET"),
        PAYMENTS("POST"),
        HEALTH("GET"),
        PAYMENT_BY_ID("GET"),
        SUMMARY("GET"),
        TOKEN("PUT"),
        DELAY("PUT"),
        FAILURE("PUT"),
        PURGE("POST");

        final String method;

        Route(String method) {
            this.method = method;
        }

        /** @param path lower-cased, without a trailing slash */
        static Route of(String path) {
            return switch (path) {
                case "/" -> INDEX;
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
