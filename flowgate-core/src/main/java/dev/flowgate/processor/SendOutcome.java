package dev.flowgate.processor;

import java.time.Duration;

/**
 * What sending a payment to a processor told us. The classes decide what may happen next: only
 * {@link Unknown} leaves the payment possibly stored at the processor without our knowing.
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

    /** 500: the processor answered that it failed; nothing was stored. Retry with backoff. */
    record Failed(int status, String reason) implements SendOutcome {
    }

    /** 429: the processor is over its limit; nothing was stored. Do not call it before {@code retryAfter}. */
    record RateLimited(Duration retryAfter) implements SendOutcome {
    }

    /** Another 4xx: the processor refuses this request as it is; repeating it cannot succeed. */
    record Rejected(int status, String reason) implements SendOutcome {
    }

    /** Timeout, reset after sending, or an unexpected answer: the payment may or may not be stored there. */
    record Unknown(String reason) implements SendOutcome {
    }
}
