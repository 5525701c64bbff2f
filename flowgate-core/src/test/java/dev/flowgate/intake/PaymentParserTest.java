package dev.flowgate.intake;

import dev.flowgate.http.Problem;
import dev.flowgate.payment.Payment;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class PaymentParserTest {
    private static final String ID = "4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3";
    private final PaymentParser parser = new PaymentParser();

    private ParseResult parse(String body) {
        return parser.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsAValidPaymentInCents() {
        ParseResult result = parse("{\"correlationId\":\"" + ID + "\",\"amount\":19.90}");
        assertThat(result).isEqualTo(new ParseResult.Valid(new Payment(UUID.fromString(ID), 1990)));
    }

    @ParameterizedTest
    @CsvSource({"20.05,2005", "1,100", "0.01,1", "1e2,10000", "19.900,1990", "1000000000.00,100000000000"})
    void acceptsEveryExactFormOfAnAmount(String amount, long cents) {
        ParseResult result = parse("{\"correlationId\":\"" + ID + "\",\"amount\":" + amount + "}");
        assertThat(result).isEqualTo(new ParseResult.Valid(new Payment(UUID.fromString(ID), cents)));
    }

    @Test
    void ignoresUnknownFields() {
        ParseResult result = parse("{\"note\":{\"a\":[1,2]},\"correlationId\":\"" + ID + "\",\"amount\":1.5}");
        assertThat(result).isInstanceOf(ParseResult.Valid.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.00", "-1", "-0.01", "0.001", "19.999", "1000000000.01", "1e400", "123456789012345678901234567890"})
    void refusesAmountsThatAreNotPositiveCentsWithinTheLimit(String amount) {
        assertInvalid("{\"correlationId\":\"" + ID + "\",\"amount\":" + amount + "}", "amount");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"19.90\"", "true", "null", "[1]", "{\"v\":1}"})
    void refusesAmountsThatAreNotNumbers(String amount) {
        assertInvalid("{\"correlationId\":\"" + ID + "\",\"amount\":" + amount + "}", "amount");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "0x10", "01.5", ".5", "+1"})
    void refusesNumbersThatAreNotJson(String amount) {
        assertInvalid("{\"correlationId\":\"" + ID + "\",\"amount\":" + amount + "}", null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"not-a-uuid\"", "\"1-1-1-1-1\"", "\"4a7901b87d264d9daa194dc1c7cf60b3\"",
            "\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60bz\"", "\"\"", "123", "null", "\" 4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\"",
            "\"\uFF14a7901b8-7d26-4d9d-aa19-4dc1c7cf60b3\"", "\"4a7901b8-7d26-4d9d-aa19-4dc1c7cf60b\u0663\""})
    void refusesIdsThatAreNotCanonicalUuids(String id) { // a fullwidth or Arabic-Indic digit would alias another id
        assertInvalid("{\"correlationId\":" + id + ",\"amount\":1}", "correlationId");
    }

    @Test
    void requiresBothFields() {
        assertInvalid("{\"amount\":1}", "correlationId");
        assertInvalid("{\"correlationId\":\"" + ID + "\"}", "amount");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "{\"correlationId\":", "[]", "\"x\"", "null", "{} {}", "{\"a\":1}x",
            "{\"correlationId\":\"" + ID + "\",\"amount\":1", "\u0000\u0001"})
    void refusesMalformedOrTruncatedJson(String body) {
        assertInvalid(body, null);
    }

    @Test
    void refusesDuplicateKeys() {
        assertInvalid("{\"correlationId\":\"" + ID + "\",\"amount\":1,\"amount\":2}", null);
    }

    @Test
    void problemsAreBadRequestsWithADetail() {
        ParseResult result = parse("{\"correlationId\":\"x\",\"amount\":1}");
        Problem problem = ((ParseResult.Invalid) result).problem();
        assertThat(problem.status()).isEqualTo(400);
        assertThat(problem.detail()).contains("UUID");
    }

    private void assertInvalid(String body, String field) {
        ParseResult result = parse(body);
        assertThat(result).as(body).isInstanceOf(ParseResult.Invalid.class);
        if (field != null) {
            assertThat(((ParseResult.Invalid) result).problem().field()).as(body).isEqualTo(field);
        }
    }
}
