package dev.flowgate.server.api;

import dev.flowgate.EngineStatus;
import dev.flowgate.Flowgate;
import dev.flowgate.intake.AcceptResult;
import dev.flowgate.intake.Amounts;
import dev.flowgate.intake.ParseResult;
import dev.flowgate.intake.PaymentParser;
import dev.flowgate.intake.Problem;
import dev.flowgate.ledger.Totals;
import dev.flowgate.routing.ProcessorStatus;
import dev.flowgate.store.PaymentRecord;
import dev.flowgate.store.StoreException;
import dev.flowgate.server.http.HttpHandler;
import dev.flowgate.server.http.HttpRequest;
import dev.flowgate.server.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;

/**
 * The HTTP API (DESIGN.md C1): where each request goes, in one place.
 *
 * <pre>
 * POST /payments                 intake: validate, journal, 202
 * GET  /payments/{id}            one payment's state and attempts
 * GET  /payments-summary         settled totals per processor over [from, to]
 * POST /purge-payments           forget everything (admin)
 * GET  /health                   processors, queue, workers
 * </pre>
 *
 * Every refusal is an {@code application/problem+json} body naming the problem.
 */
public final class PaymentsApi implements HttpHandler {
    private static final String PAYMENT_PREFIX = "/payments/";
    /** Summary bounds beyond these would overflow the ledger's epoch milliseconds. */
    private static final Instant EARLIEST = Instant.parse("-10000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");

    private final Flowgate engine;
    private final PaymentParser parser = new PaymentParser();
    private final Json json = new Json();
    private final byte[] adminToken;

    /** @param adminToken the token {@code POST /purge-payments} requires, or null to leave it open (test mode) */
    public PaymentsApi(Flowgate engine, String adminToken) {
        this.engine = engine;
        this.adminToken = adminToken == null ? null : adminToken.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public HttpResponse handle(HttpRequest request) {
        String path = request.path();
        try {
            return switch (path) {
                case "/payments" -> only("POST", request, this::acceptPayment);
                case "/payments-summary" -> only("GET", request, this::summary);
                case "/purge-payments" -> only("POST", request, this::purge);
                case "/health" -> only("GET", request, r -> health());
                default -> path.startsWith(PAYMENT_PREFIX)
                        ? only("GET", request, this::payment)
                        : problem(404, "Not found", "no resource at " + bounded(path), null);
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
        if (!request.method().equals(method)) {
            return problem(405, "Method not allowed", request.method() + " is not allowed here; use " + method, null)
                    .withHeader("Allow", method);
        }
        return handler.apply(request);
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
        if (adminToken != null) {
            String given = request.header("x-admin-token");
            if (given == null || !MessageDigest.isEqual(adminToken, given.getBytes(StandardCharsets.UTF_8))) {
                return problem(401, "Unauthorized", "purging needs the admin token in X-Admin-Token", null);
            }
        }
        engine.purge();
        return json.response(200, out -> {
            out.writeStartObject();
            out.writeStringField("message", "all payments purged");
            out.writeEndObject();
        });
    }

    private HttpResponse payment(HttpRequest request) {
        String raw = request.path().substring(PAYMENT_PREFIX.length());
        UUID id = PaymentParser.canonicalUuid(raw);
        if (id == null) {
            return problem(400, "Invalid request", "the payment id must be a UUID", "correlationId");
        }
        return engine.find(id)
                .map(this::paymentBody)
                .orElseGet(() -> problem(404, "Not found", "no payment " + id, "correlationId"));
    }

    private HttpResponse paymentBody(PaymentRecord record) {
        return json.response(200, out -> {
            out.writeStartObject();
            out.writeStringField("correlationId", record.correlationId().toString());
            out.writeNumberField("amount", Amounts.toDecimal(record.amountCents()));
            out.writeStringField("status", record.state().name().toLowerCase(java.util.Locale.ROOT));
            writeNullable(out, "processor", record.processor());
            out.writeBooleanField("awaitingReconciliation", record.pinned());
            writeNullable(out, "requestedAt", record.requestedAt() == null ? null : record.requestedAt().toString());
            out.writeNumberField("attempts", record.attempts());
            writeNullable(out, "lastError", record.lastError());
            out.writeStringField("acceptedAt", record.acceptedAt().toString());
            out.writeEndObject();
        });
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
