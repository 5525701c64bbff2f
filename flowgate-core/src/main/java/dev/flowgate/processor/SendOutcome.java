package dev.flowgate.processor;

import java.time.Duration;

/**
 * What sending a payment to a processor told us. The classes decide what may happen next: only
 * {@link Unknown} leaves the payment possibly stored at the processor without our knowing. None of
 * them ends a payment: a processor that fails now may take it later, or another one may.
 */
public sealed interface SendOutcome {
    /** 200: the processor stored the payment with the {@code requestedAt} we sent. */
    record Processed() implements SendOutcome {
    }

    /** 422: the processor already had this correlation id: it is settled there, by an earlier attempt. */
    record AlreadyProcessed() implements SendOutcome {
    }

    /** The request never reached the processor (connection refused or not established): safe anywhere. */
    record NotSent(String reason) implements SendOutcome {
    }

    /**
     * The processor answered without storing the payment: a 500 or 501, or a 4xx other than
     * 422 and 429 (401, 403, 404, 408, 413...: a misconfigured or broken processor, since every
     * request we send is well-formed). A processor fault: its breaker counts it, and the payment
     * may go elsewhere.
     */
    record Failed(int status, String reason) implements SendOutcome {
    }

    /** 429: the processor is over its limit; nothing was stored. Do not call it before {@code retryAfter}. */
    record RateLimited(Duration retryAfter) implements SendOutcome {
    }

    /**
     * Timeout, reset after sending, a 5xx other than 500 and 501 (a gateway's, which may have passed
     * the request on) or an answer outside the protocol: the payment may or may not be stored there.
     */
    record Unknown(String reason) implements SendOutcome {
    }
}
