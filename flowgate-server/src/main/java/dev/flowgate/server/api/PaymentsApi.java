package dev.flowgate.server.api;

import dev.flowgate.EngineStatus;
import dev.flowgate.Flowgate;
import dev.flowgate.http.Problem;
import dev.flowgate.intake.ParseResult;
import dev.flowgate.intake.PaymentParser;
import dev.flowgate.ledger.Totals;
import dev.flowgate.payment.AcceptResult;
import dev.flowgate.payment.Amounts;
import dev.flowgate.payment.PaymentRecord;
import dev.flowgate.payment.PaymentState;
import dev.flowgate.routing.ProcessorStatus;
import dev.flowgate.server.http.HttpHandler;
import dev.flowgate.server.http.HttpRequest;
import dev.flowgate.server.http.HttpResponse;
import dev.flowgate.settlement.RetryResult;
import dev.flowgate.store.StoreException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The HTTP API (DESIGN.md C1): where each request goes, in one place.
 *
 * <pre>
 * POST /payments                 intake: validate, journal, 202
 * GET  /payments?status=failed   one page of the payments in a state (limit, after)
 * GET  /payments/{id}            one payment's state and attempts
 * POST /payments/{id}/retry      queue a failed payment again (admin)
 * GET  /payments-summary         settled totals per processor over [from, to]
 * POST /purge-payments           forget everything (admin)
 * GET  /health                   processors, queue, workers
 * </pre>
 *
 * Every refusal is an {@code application/problem+json} body naming the problem.
 */
public final class PaymentsApi implements HttpHandler {
    private static final String PAYMENT_PREFIX = "/payments/";
    private static final String RETRY_SUFFIX = "/retry";
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;
    /** Summary bounds beyond these would overflow the ledger's epoch milliseconds. */
    private static final Instant EARLIEST = Instant.parse("-10000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");

    private final Flowgate engine;
    private final PaymentParser parser = new PaymentParser();
    private final Json json = new Json();
    private final AdminAccess admin;

    /** @param admin who may purge and retry */
    public PaymentsApi(Flowgate engine, AdminAccess admin) {
        this.engine = engine;
        this.admin = java.util.Objects.requireNonNull(admin, "admin");
    }

    @Override
    public HttpResponse handle(HttpRequest request) {
        String path = request.path();
        try {
            return switch (path) {
                case "/payments" -> switch (request.method()) {
                    case "POST" -> acceptPayment(request);
                    case "GET" -> listPayments(request);
                    default -> notAllowed(request, "GET, POST");
                };
                case "/payments-summary" -> only("GET", request, this::summary);
                case "/purge-payments" -> only("POST", request, r -> asAdmin(r, this::purge));
                case "/health" -> only("GET", request, r -> health());
                default -> !path.startsWith(PAYMENT_PREFIX)
                        ? problem(404, "Not found", "no resource at " + bounded(path), null)
                        : path.endsWith(RETRY_SUFFIX) && path.length() >= PAYMENT_PREFIX.length() + RETRY_SUFFIX.length()
                        ? only("POST", request, r -> asAdmin(r, this::retry))
                        : only("GET", request, this::payment);
            };
        } catch (StoreException e) {
            return problem(503, "Store unavailable", "the journal cannot be used right now; retry later", null);
        }
    }

    @Override
    public HttpResponse refused(int status, String detail) {
        return problem(status, ResponseTitles.of(status), detail, null);
    }

    private HttpResponse only(String method, HttpRequest request, java.util.function.Function<HttpRequest, HttpResponse> handler) {
        return request.method().equals(method) ? handler.apply(request) : notAllowed(request, method);
    }

    private HttpResponse notAllowed(HttpRequest request, String allowed) {
        return problem(405, "Method not allowed", bounded(request.method()) + " is not allowed here; use " + allowed, null)
                .withHeader("Allow", allowed);
    }

    /** Runs an admin request if {@link #admin} lets this client make it. */
    private HttpResponse asAdmin(HttpRequest request, java.util.function.Function<HttpRequest, HttpResponse> handler) {
        return switch (admin) {
            case AdminAccess.Open open -> handler.apply(request);
            case AdminAccess.LoopbackOnly loopback -> request.peer() != null && request.peer().isLoopbackAddress()
                    ? handler.apply(request)
                    : problem(403, "Forbidden", "admin endpoints answer only clients on this machine while no admin "
                            + "token is configured: start with --admin-token-file FILE (or --admin-token), "
                            + "or with --admin open to open them on purpose", null);
            case AdminAccess.Token token -> token.matches(request.header("x-admin-token"))
                    ? handler.apply(request)
                    : problem(401, "Unauthorized", "this needs the admin token in X-Admin-Token", null);
        };
    }

    private HttpResponse acceptPayment(HttpRequest request) {
        String contentType = request.header("content-type");
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return problem(415, "Unsupported media type", "send the payment as Content-Type: application/json", null);
        }
        return switch (parser.parse(request.body())) {
            case ParseResult.Invalid invalid -> json.problem(invalid.problem());
            case ParseResult.Valid valid -> switch (engine.accept(valid.payment())) {
                case AcceptResult.Accepted a -> HttpResponse.empty(202);
                case AcceptResult.AlreadyAccepted a -> HttpResponse.empty(202);
                case AcceptResult.Conflict c -> problem(409, "Conflict",
                        "payment " + valid.payment().correlationId() + " was already accepted with amount "
                                + Amounts.toDecimal(c.existingAmountCents()).toPlainString(), "amount");
            };
        };
    }

    private HttpResponse summary(HttpRequest request) {
        Instant from;
        Instant to;
        try {
            Map<String, String> params = QueryString.parse(request.query());
            from = instant(params.get("from"));
            to = instant(params.get("to"));
        } catch (IllegalArgumentException e) {
            return problem(400, "Invalid request", e.getMessage(), null);
        }
        if (from != null && to != null && from.isAfter(to)) {
            return problem(400, "Invalid request", "from must not be after to", "from");
        }
        Map<String, Totals> totals = engine.summary(from, to);
        return json.response(200, out -> {
            out.writeStartObject();
            for (Map.Entry<String, Totals> entry : totals.entrySet()) {
                out.writeObjectFieldStart(entry.getKey());
                out.writeNumberField("totalRequests", entry.getValue().count());
                out.writeNumberField("totalAmount", Amounts.toDecimal(entry.getValue().amountCents()));
                out.writeEndObject();
            }
            out.writeEndObject();
        });
    }

    /** Parses a summary bound: an ISO-8601 instant ("2025-07-15T12:00:00.000Z") or with an offset. */
    private static Instant instant(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        Instant instant;
        try {
            instant = Instant.parse(value);
        } catch (DateTimeParseException notAnInstant) {
            try {
                instant = OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + bounded(value)
                        + "' is not an ISO-8601 instant such as 2025-07-15T12:34:56.000Z");
            }
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new IllegalArgumentException("'" + bounded(value) + "' is outside the years -10000..10000");
        }
        return instant;
    }

    private HttpResponse purge(HttpRequest request) {
        engine.purge();
        return json.response(200, out -> {
            out.writeStartObject();
            out.writeStringField("message", "all payments purged");
            out.writeEndObject();
        });
    }

    private HttpResponse payment(HttpRequest request) {
        UUID id = PaymentParser.canonicalUuid(request.path().substring(PAYMENT_PREFIX.length()));
        if (id == null) {
            return problem(400, "Invalid request", "the payment id must be a UUID", "correlationId");
        }
        return engine.find(id)
                .map(record -> json.response(200, out -> writePayment(out, record)))
                .orElseGet(() -> problem(404, "Not found", "no payment " + id, "correlationId"));
    }

    private HttpResponse retry(HttpRequest request) {
        String path = request.path();
        UUID id = PaymentParser.canonicalUuid(path.substring(PAYMENT_PREFIX.length(), path.length() - RETRY_SUFFIX.length()));
        if (id == null) {
            return problem(400, "Invalid request", "the payment id must be a UUID", "correlationId");
        }
        return switch (engine.retry(id)) {
            case RetryResult.Requeued requeued -> json.response(202, out -> writePayment(out, requeued.payment()));
            case RetryResult.NotFound notFound -> problem(404, "Not found", "no payment " + id, "correlationId");
            case RetryResult.NotFailed notFailed -> problem(409, "Conflict", "payment " + id + " is "
                    + stateName(notFailed.state()) + ", not failed: it is on its way already", null);
        };
    }

    private HttpResponse listPayments(HttpRequest request) {
        PaymentState state;
        UUID after;
        int limit;
        try {
            Map<String, String> params = QueryString.parse(request.query());
            state = state(params.get("status"));
            after = params.get("after") == null ? null : PaymentParser.canonicalUuid(params.get("after"));
            if (params.get("after") != null && after == null) {
                return problem(400, "Invalid request", "after must be a payment's correlationId", "after");
            }
            limit = pageSize(params.get("limit"));
        } catch (IllegalArgumentException e) {
            return problem(400, "Invalid request", e.getMessage(), null);
        }
        List<PaymentRecord> page = engine.list(state, after, limit);
        UUID next = page.size() == limit ? page.getLast().correlationId() : null;
        return json.response(200, out -> {
            out.writeStartObject();
            out.writeArrayFieldStart("payments");
            for (PaymentRecord record : page) {
                writePayment(out, record);
            }
            out.writeEndArray();
            writeNullable(out, "next", next == null ? null
                    : "/payments?status=" + stateName(state) + "&limit=" + limit + "&after=" + next);
            out.writeEndObject();
        });
    }

    private static PaymentState state(String value) {
        if (value == null) {
            throw new IllegalArgumentException("status is required: queued, in_flight, processed or failed");
        }
        for (PaymentState state : PaymentState.values()) {
            if (stateName(state).equals(value)) {
                return state;
            }
        }
        throw new IllegalArgumentException("status '" + bounded(value) + "' is none of queued, in_flight, processed, failed");
    }

    private static int pageSize(String value) {
        if (value == null) {
            return DEFAULT_PAGE;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_PAGE) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("limit must be a whole number from 1 to " + MAX_PAGE);
    }

    private static String stateName(PaymentState state) {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static void writePayment(com.fasterxml.jackson.core.JsonGenerator out, PaymentRecord record)
            throws java.io.IOException {
        out.writeStartObject();
        out.writeStringField("correlationId", record.correlationId().toString());
        out.writeNumberField("amount", Amounts.toDecimal(record.amountCents()));
        out.writeStringField("status", stateName(record.state()));
        writeNullable(out, "processor", record.processor());
        out.writeBooleanField("awaitingReconciliation", record.pinned());
        writeNullable(out, "requestedAt", record.requestedAt() == null ? null : record.requestedAt().toString());
        out.writeNumberField("attempts", record.attempts());
        writeNullable(out, "lastError", record.lastError());
        out.writeStringField("acceptedAt", record.acceptedAt().toString());
        out.writeEndObject();
    }

    private HttpResponse health() {
        EngineStatus status = engine.status();
        return json.response(200, out -> {
            out.writeStartObject();
            out.writeStringField("status", "up");
            out.writeNumberField("queued", status.queued());
            out.writeNumberField("inFlight", status.inFlight());
            out.writeArrayFieldStart("processors");
            for (ProcessorStatus p : status.processors()) {
                out.writeStartObject();
                out.writeStringField("name", p.name());
                out.writeStringField("breaker", p.breaker());
                out.writeNumberField("inFlight", p.inFlight());
                out.writeNumberField("inFlightLimit", p.inFlightLimit());
                out.writeNumberField("expectedLatencyMs", p.expectedLatencyMs());
                if (p.healthFailing() == null) {
                    out.writeNullField("failing");
                    out.writeNullField("minResponseTime");
                } else {
                    out.writeBooleanField("failing", p.healthFailing());
                    out.writeNumberField("minResponseTime", p.healthMinResponseMs());
                }
                writeNullable(out, "lastOutcome", p.lastOutcome());
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }

    private static void writeNullable(com.fasterxml.jackson.core.JsonGenerator out, String field, String value)
            throws java.io.IOException {
        if (value == null) {
            out.writeNullField(field);
        } else {
            out.writeStringField(field, value);
        }
    }

    private HttpResponse problem(int status, String title, String detail, String field) {
        return json.problem(new Problem(status, title, detail, field));
    }

    /** Echo at most 100 characters of client input in an error. */
    private static String bounded(String text) {
        return text.length() <= 100 ? text : text.substring(0, 100) + "...";
    }
}
