package dev.flowgate.testkit.load;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The bytes of one {@code POST /payments} request, laid out once per run. Only the 36 characters of
 * the correlation id differ between requests, and they sit at a fixed offset because a UUID always
 * has the same length, so the Content-Length is fixed too.
 *
 * <p>The body is concatenated rather than written with a JSON generator: a UUID and a plain decimal
 * contain nothing that needs escaping, and this keeps the generator's own cost per request small.
 */
final class PaymentRequestTemplate {

    private static final String ID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000";

    private final byte[] template;
    private final int idOffset;

    PaymentRequestTemplate(LoopbackTarget target, BigDecimal amount) {
        String bodyBeforeId = "{\"correlationId\":\"";
        String body = bodyBeforeId + ID_PLACEHOLDER + "\",\"amount\":" + amount.toPlainString() + "}";
        String head = "POST " + target.path() + " HTTP/1.1\r\n"
                + "Host: " + target.hostHeader() + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + "\r\n";
        this.template = (head + body).getBytes(StandardCharsets.US_ASCII);
        this.idOffset = head.length() + bodyBeforeId.length();
    }

    /** A new request with this correlation id; the caller may keep it to send it again. */
    byte[] render(UUID correlationId) {
        byte[] request = template.clone();
        byte[] id = correlationId.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(id, 0, request, idOffset, id.length);
        return request;
    }
}
