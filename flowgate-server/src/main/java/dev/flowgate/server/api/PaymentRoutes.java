package dev.flowgate.server.api;

import dev.flowgate.Flowgate;
import dev.flowgate.http.Problem;
import dev.flowgate.intake.ParseResult;
import dev.flowgate.intake.PaymentParser;
import dev.flowgate.ledger.Totals;
import dev.flowgate.payment.AcceptResult;
import dev.flowgate.payment.Amounts;
import dev.flowgate.payment.PaymentRecord;
import dev.flowgate.payment.PaymentState;
import dev.flowgate.server.api.RouteTable.Access;
import dev.flowgate.server.http.HttpRequest;
import dev.flowgate.server.http.HttpResponse;
import dev.flowgate.settlement.RetryResult;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The payment routes (DESIGN.md C1):
 *
 * <pre>
 * POST /payments                 intake: validate, journal, 202
 * GET  /payments?status=failed   one page of the payments in a state (limit, after)
 * GET  /payments/{id}            one payment's state and attempts
 * POST /payments/{id}/retry      queue a failed payment again (admin)
 * GET  /payments-summary         settled totals per processor over [from, to]
 * POST /purge-payments           forget everything (admin)
 * </pre>
 */
public final class PaymentRoutes {
    /** Summary bounds beyond these would overflow the ledger's epoch milliseconds. */
    private static final Instant EARLIEST = Instant.parse("-10000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");

    private final Flowgate engine;
    private final PaymentParser parser = new PaymentParser();
    private final Json json = new Json();

    public PaymentRoutes(Flowgate engine) {
        this.engine = engine;
    }

    public RouteTable register(RouteTable routes) {
        return routes
                .post("/payments", Access.ANYONE, (request, path) -> acceptPayment(request))
                .get("/payments", Access.ANYONE, (request, path) -> listPayments(request))
                .get("/payments/{id}", Access.ANYONE, (request, path) -> payment(path.get("id")))
                .post("/payments/{id}/retry", Access.ADMIN, (request, path) -> retry(path.get("id")))
                .get("/payments-summary", Access.ANYONE, (request, path) -> summary(request))
                .post("/purge-payments", Access.ADMIN, (request, path) -> purge());
    }

    private HttpResponse acceptPayment(HttpRequest request) {
        if (!Json.hasJsonBody(request)) {
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
                throw new IllegalArgumentException("'" + Problems.bounded(value)
                        + "' is not an ISO-8601 instant such as 2025-07-15T12:34:56.000Z");
            }
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new IllegalArgumentException("'" + Problems.bounded(value) + "' is outside the years -10000..10000");
        }
        return instant;
    }

    private HttpResponse purge() {
        engine.purge();
        return json.response(200, out -> {
            out.writeStartObject();
            out.writeStringField("message", "all payments purged");
            out.writeEndObject();
        });
    }

    private HttpResponse payment(String idText) {
        UUID id = PaymentParser.canonicalUuid(idText);
        if (id == null) {
            return problem(400, "Invalid request", "the payment id must be a UUID", "correlationId");
        }
        return engine.find(id)
                .map(record -> json.response(200, out -> writePayment(out, record)))
                .orElseGet(() -> problem(404, "Not found", "no payment " + id, "correlationId"));
    }

    private HttpResponse retry(String idText) {
        UUID id = PaymentParser.canonicalUuid(idText);
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
            limit = Paging.limit(params.get("limit"));
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
            Json.writeNullable(out, "next", next == null ? null
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
        throw new IllegalArgumentException("status '" + Problems.bounded(value) + "' is none of queued, in_flight, processed, failed");
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
        Json.writeNullable(out, "processor", record.processor());
        out.writeBooleanField("awaitingReconciliation", record.pinned());
        Json.writeNullable(out, "requestedAt", record.requestedAt() == null ? null : record.requestedAt().toString());
        out.writeNumberField("attempts", record.attempts());
        Json.writeNullable(out, "lastError", record.lastError());
        out.writeStringField("acceptedAt", record.acceptedAt().toString());
        out.writeEndObject();
    }

    private HttpResponse problem(int status, String title, String detail, String field) {
        return json.problem(new Problem(status, title, detail, field));
    }
}
