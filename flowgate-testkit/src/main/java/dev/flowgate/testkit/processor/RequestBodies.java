package dev.flowgate.testkit.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.flowgate.testkit.processor.ProcessorEmulator.StoredPayment;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads the JSON bodies the processor accepts, as its ASP.NET minimal API binds them: a JSON
 * content type or 415; an object or 400; property names matched case-insensitively, the last of
 * duplicates winning; a missing property takes its type's default (an empty GUID, 0, .NET's
 * {@code DateTime.MinValue}); numbers may come as strings. Anything that does not bind is a 400.
 * Thread-safe.
 */
final class RequestBodies {
    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?");
    /** .NET's {@code decimal.MaxValue}; larger amounts do not bind. */
    private static final BigDecimal DECIMAL_MAX = new BigDecimal("79228162514264337593543950335");
    /** A .NET decimal keeps at most 28 fraction digits. */
    private static final int DECIMAL_SCALE = 28;
    private static final Instant MIN_DATE_TIME = Instant.parse("0001-01-01T00:00:00Z");
    private static final UUID EMPTY_GUID = new UUID(0, 0);

    private final JsonFactory json = new JsonFactory();

    /** {@code {"correlationId": guid, "amount": decimal, "requestedAt": date-time}}, amount rounded half-even to cents. */
    StoredPayment payment(String contentType, byte[] body) throws RequestRefused {
        Map<String, Value> fields = bind(contentType, body);
        Value id = fields.get("correlationid");
        UUID correlationId;
        if (id == null) {
            correlationId = EMPTY_GUID;
        } else if (id.token() == JsonToken.VALUE_STRING && GUID.matcher(id.text()).matches()) {
            correlationId = UUID.fromString(id.text());
        } else {
            throw RequestRefused.badRequest("correlationId is not a GUID");
        }
        Value amountValue = fields.get("amount");
        BigDecimal amount = amountValue == null ? BigDecimal.ZERO : decimal(amountValue);
        if (amount.scale() > 2) {
            amount = amount.setScale(2, RoundingMode.HALF_EVEN); // decimal.Round(x, 2) in the processor's SQL
        }
        Value requested = fields.get("requestedat");
        Instant requestedAt;
        if (requested == null) {
            requestedAt = MIN_DATE_TIME;
        } else if (requested.token() == JsonToken.VALUE_STRING && (requestedAt = Instants.parse(requested.text())) != null) {
            // read
        } else {
            throw RequestRefused.badRequest("requestedAt is not a date and time");
        }
        return new StoredPayment(correlationId, amount, requestedAt);
    }

    /** {@code {"token": "..."}}: a missing or null token clears it, after which only requests without one pass. */
    String token(String contentType, byte[] body) throws RequestRefused {
        Value token = bind(contentType, body).get("token");
        if (token == null || token.token() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (token.token() != JsonToken.VALUE_STRING) {
            throw RequestRefused.badRequest("token is not a string");
        }
        return token.text();
    }

    /** {@code {"delay": ms}}: an Int32, missing means 0; a negative delay is kept and waits nothing. */
    int delayMillis(String contentType, byte[] body) throws RequestRefused {
        Value delay = bind(contentType, body).get("delay");
        if (delay == null) {
            return 0;
        }
        String text = delay.token() == JsonToken.VALUE_STRING ? delay.text() : delay.token().isNumeric() ? delay.text() : null;
        if (text == null || !NUMBER.matcher(text).matches() || text.contains(".") || text.contains("e")
                || text.contains("E")) {
            throw RequestRefused.badRequest("delay is not a whole number");
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RequestRefused.badRequest("delay is out of Int32 range");
        }
    }

    /** {@code {"failure": bool}}, missing means false. */
    boolean failure(String contentType, byte[] body) throws RequestRefused {
        Value failure = bind(contentType, body).get("failure");
        if (failure == null) {
            return false;
        }
        return switch (failure.token()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> throw RequestRefused.badRequest("failure is not a boolean");
        };
    }

    /**
     * A GUID route parameter: the usual 36-character form, or 32 hex digits, either maybe in braces
     * or parentheses, as .NET's {@code Guid} binding takes them; null if it is none of those.
     */
    static UUID routeGuid(String raw) {
        if (GUID.matcher(raw).matches()) {
            return UUID.fromString(raw);
        }
        String bare = raw.replace("{", "").replace("}", "").replace("(", "").replace(")", "");
        if (bare.matches("[0-9a-fA-F]{32}")) {
            return UUID.fromString(bare.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
        }
        return GUID.matcher(bare).matches() ? UUID.fromString(bare) : null;
    }

    /**
     * A decimal from a JSON number or a string holding one, within .NET's range. A value that
     * would round to zero at 28 places becomes zero here, before {@code 1e-999999999} could make
     * rounding build a billion-digit divisor.
     */
    private static BigDecimal decimal(Value value) throws RequestRefused {
        String text = switch (value.token()) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> value.text();
            case VALUE_STRING -> value.text();
            default -> null;
        };
        if (text == null || !NUMBER.matcher(text).matches()) {
            throw RequestRefused.badRequest("amount is not a decimal");
        }
        BigDecimal d;
        try {
            d = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw RequestRefused.badRequest("amount is out of range"); // an exponent beyond an int
        }
        if (d.abs().compareTo(DECIMAL_MAX) > 0) {
            throw RequestRefused.badRequest("amount is beyond decimal.MaxValue");
        }
        if (d.scale() < 0) {
            d = d.setScale(0);
        }
        if (d.scale() > DECIMAL_SCALE) {
            d = d.precision() - d.scale() < -DECIMAL_SCALE
                    ? BigDecimal.ZERO.setScale(DECIMAL_SCALE)
                    : d.setScale(DECIMAL_SCALE, RoundingMode.HALF_EVEN);
        }
        return d;
    }

    /** The top-level properties of the body's JSON object, by lower-case name; nested values only by kind. */
    private Map<String, Value> bind(String contentType, byte[] body) throws RequestRefused {
        if (!isJson(contentType)) {
            throw RequestRefused.unsupportedMediaType();
        }
        if (body.length == 0) {
            throw RequestRefused.badRequest("empty body");
        }
        try (JsonParser parser = json.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw RequestRefused.badRequest("the body is not a JSON object");
            }
            Map<String, Value> fields = new HashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName().toLowerCase(Locale.ROOT);
                JsonToken token = parser.nextToken();
                if (token.isStructStart()) {
                    parser.skipChildren();
                    fields.put(name, new Value(token, ""));
                } else {
                    fields.put(name, new Value(token, parser.getText()));
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw RequestRefused.badRequest("content after the JSON object");
            }
            return fields;
        } catch (IOException e) {
            throw RequestRefused.badRequest("not valid JSON");
        }
    }

    /** {@code application/json} or any {@code application/*+json}, parameters ignored. */
    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /** One property's value: its token kind and, for scalars, its text exactly as sent. */
    private record Value(JsonToken token, String text) {
    }
}
