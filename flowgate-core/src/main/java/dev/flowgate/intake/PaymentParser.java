package dev.flowgate.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.flowgate.http.Problem;
import dev.flowgate.payment.Amounts;
import dev.flowgate.payment.Payment;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.UUID;

/**
 * Reads {@code {"correlationId": "<uuid>", "amount": 19.90}} into a {@link Payment}, or names the
 * problem. Streams over the bytes with Jackson's parser (no tree, no reflection): this runs on every
 * request. Thread-safe.
 *
 * <p>Strict where leniency would hide caller bugs: the id must be a canonical 36-character UUID
 * ({@link UUID#fromString} accepts {@code 1-1-1-1-1}), the amount a JSON number (not a string)
 * with at most two fraction digits, duplicate keys and trailing content are refused. Unknown fields
 * are ignored so callers can send extra metadata.
 */
public final class PaymentParser {
    private final JsonFactory json = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    public ParseResult parse(byte[] body, int offset, int length) {
        if (length == 0) {
            return invalid(null, "the request body is empty; expected a JSON object");
        }
        try (JsonParser parser = json.createParser(body, offset, length)) {
            return read(parser);
        } catch (JsonProcessingException e) {
            return invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return invalid(null, "the body could not be read as JSON");
        }
    }

    public ParseResult parse(byte[] body) {
        return parse(body, 0, body.length);
    }

    private ParseResult read(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return invalid(null, "the body must be a JSON object");
        }
        UUID correlationId = null;
        BigDecimal amount = null;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "correlationId" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        return invalid("correlationId", "correlationId must be a string holding a UUID");
                    }
                    correlationId = canonicalUuid(parser.getText());
                    if (correlationId == null) {
                        return invalid("correlationId", "correlationId must be a UUID like 4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3");
                    }
                }
                case "amount" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
                        return invalid("amount", "amount must be a JSON number such as 19.90");
                    }
                    amount = parser.getDecimalValue();
                }
                default -> parser.skipChildren();
            }
        }
        if (token != JsonToken.END_OBJECT) {
            return invalid(null, "the body must be a single JSON object");
        }
        if (parser.nextToken() != null) {
            return invalid(null, "unexpected content after the JSON object");
        }
        if (correlationId == null) {
            return invalid("correlationId", "correlationId is required");
        }
        if (amount == null) {
            return invalid("amount", "amount is required");
        }
        return toCents(amount) instanceof Long cents
                ? new ParseResult.Valid(new Payment(correlationId, cents))
                : invalid("amount", "amount must be greater than 0, at most "
                        + Amounts.toDecimal(Amounts.MAX_CENTS).toPlainString() + ", with at most 2 decimal places");
    }

    /** The amount in cents, or {@code null} if it is not positive, too large or finer than a cent. */
    private static Long toCents(BigDecimal amount) {
        if (amount.signum() <= 0 || amount.stripTrailingZeros().scale() > 2
                || amount.compareTo(Amounts.toDecimal(Amounts.MAX_CENTS)) > 0) {
            return null;
        }
        return amount.movePointRight(2).longValueExact();
    }

    /** Parses only the canonical 8-4-4-4-12 hexadecimal form; {@code null} for anything else. */
    public static UUID canonicalUuid(String text) {
        if (text.length() != 36) {
            return null;
        }
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            // ASCII hex digits only: Character.digit also takes fullwidth and other Unicode digits,
            // which UUID.fromString would read as another id.
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (dash ? c != '-' : !hex) {
                return null;
            }
        }
        return UUID.fromString(text);
    }

    private static ParseResult invalid(String field, String detail) {
        return new ParseResult.Invalid(Problem.badRequest(field, detail));
    }
}
