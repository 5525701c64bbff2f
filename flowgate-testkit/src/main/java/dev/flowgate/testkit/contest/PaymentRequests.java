package dev.flowgate.testkit.contest;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * The bytes of the contest's {@code POST /payments}. The amount is written as k6 writes a JavaScript
 * number, {@code 19.9} for 19.90, so a backend meets exactly what the contest sends it.
 */
final class PaymentRequests {

    private static final Map<String, String> HEADERS = Map.of("Content-Type", "application/json");

    private final LoopbackHttp backend;
    private final String amount;

    PaymentRequests(LoopbackHttp backend, BigDecimal amount) {
        this.backend = backend;
        this.amount = amount.stripTrailingZeros().toPlainString();
    }

    byte[] render(UUID correlationId) {
        String body = "{\"correlationId\":\"" + correlationId + "\",\"amount\":" + amount + "}";
        return backend.render("POST", "/payments", HEADERS, body.getBytes(StandardCharsets.US_ASCII));
    }
}
