package dev.flowgate.testkit.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.flowgate.testkit.processor.ProcessorEmulator.StoredPayment;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Reads the JSON bodies the processor accepts, refusing anything malformed with a 400 that names
 * the problem. Every body is one flat object; unknown fields are ignored, duplicate fields and
 * trailing content refused. Streams with Jackson's parser, no data binding. Thread-safe.
 */
final class RequestBodies {
    /**
     * Amounts with more integer digits are refused: far beyond any payment, and rounding a hostile
     * {@code 1e999999999} to cents would otherwise build a billion-digit number.
     */
    private static final int MAX_INTEGER_DIGITS = 28;
    /** Likewise for {@code 1e-999999999}: rounding it to cents divides by a power of ten that size. */
    private static final int MAX_FRACTION_DIGITS = 1000;

    private final JsonFactory json = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** {@code {"correlationId": uuid, "amount": number, "requestedAt": instant}}, amount rounded to cents. */
    StoredPayment payment(byte[] body) throws RequestRefused {
        Map<String, Scalar> fields = fields(body);
        UUID correlationId = canonicalUuid(string(fields, "correlationId"));
        if (correlationId == null) {
            throw RequestRefused.badRequest("correlationId must be a UUID like 4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3");
        }
        BigDecimal amount = amount(required(fields, "amount"));
        String requestedAt = string(fields, "requestedAt");
        try {
            return new StoredPayment(correlationId, amount, Instants.parse(requestedAt));
        } catch (DateTimeParseException e) {
            throw RequestRefused.badRequest("requestedAt must be an ISO-8601 instant such as 2025-07-15T12:34:56.000Z");
        }
    }

    /** {@code {"token": "..."}}; a blank token would lock every admin out, so it is refused. */
    String token(byte[] body) throws RequestRefused {
        String token = string(fields(body), "token");
        if (token.isBlank()) {
            throw RequestRefused.badRequest("token must not be blank");
        }
        return token;
    }

    /** {@code {"delay": ms}}, a whole number of milliseconds from 0 to {@link Integer#MAX_VALUE}. */
    int delayMillis(byte[] body) throws RequestRefused {
        Scalar delay = required(fields(body), "delay");
        if (delay.token() != JsonToken.VALUE_NUMBER_INT) {
            throw RequestRefused.badRequest("delay must be a whole number of milliseconds");
        }
        try {
            int millis = Integer.parseInt(delay.text());
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // Out of int range: refused below like a negative delay.
        }
        throw RequestRefused.badRequest("delay must be between 0 and " + Integer.MAX_VALUE + " ms");
    }

    /** {@code {"failure": bool}}. */
    boolean failure(byte[] body) throws RequestRefused {
        return switch (required(fields(body), "failure").token()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> throw RequestRefused.badRequest("failure must be true or false");
        };
    }

    /** The id if {@code text} is a UUID in its canonical 36-character form; {@link UUID#fromString} accepts {@code 1-1-1-1-1}. */
    static UUID canonicalUuid(String text) {
        if (text.length() != 36) {
            return null;
        }
        try {
            UUID id = UUID.fromString(text);
            return id.toString().equalsIgnoreCase(text) ? id : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static BigDecimal amount(Scalar amount) throws RequestRefused {
        if (amount.token() != JsonToken.VALUE_NUMBER_INT && amount.token() != JsonToken.VALUE_NUMBER_FLOAT) {
            throw RequestRefused.badRequest("amount must be a JSON number such as 19.90");
        }
        BigDecimal value = new BigDecimal(amount.text());
        if (value.signum() == 0) {
            return BigDecimal.ZERO.setScale(2);
        }
        if (value.precision() - value.scale() > MAX_INTEGER_DIGITS || value.scale() > MAX_FRACTION_DIGITS) {
            throw RequestRefused.badRequest("amount is out of range");
        }
        return value.setScale(2, RoundingMode.HALF_UP);
    }

    private static String string(Map<String, Scalar> fields, String name) throws RequestRefused {
        Scalar value = required(fields, name);
        if (value.token() != JsonToken.VALUE_STRING) {
            throw RequestRefused.badRequest(name + " must be a JSON string");
        }
        return value.text();
    }

    private static Scalar required(Map<String, Scalar> fields, String name) throws RequestRefused {
        Scalar value = fields.get(name);
        if (value == null) {
            throw RequestRefused.badRequest(name + " is required");
        }
        return value;
    }

    /** The top-level fields of a single JSON object; nested values are kept only as their kind. */
    private Map<String, Scalar> fields(byte[] body) throws RequestRefused {
        try (JsonParser parser = json.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw RequestRefused.badRequest("the body must be a JSON object");
            }
            Map<String, Scalar> fields = new HashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken token = parser.nextToken();
                if (token.isStructStart()) {
                    parser.skipChildren();
                    fields.put(name, new Scalar(token, ""));
                } else {
                    fields.put(name, new Scalar(token, parser.getText()));
                }
            }
            if (parser.nextToken() != null) {
                throw RequestRefused.badRequest("unexpected content after the JSON object");
            }
            return fields;
        } catch (JsonProcessingException e) {
            throw RequestRefused.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw RequestRefused.badRequest("the body could not be read as JSON");
        }
    }

    /** One field's value: its token kind and, for scalars, its text exactly as sent. */
    private record Scalar(JsonToken token, String text) {
    }
}
