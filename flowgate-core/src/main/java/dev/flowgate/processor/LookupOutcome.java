package dev.flowgate.processor;

import java.time.Instant;

/** What asking a processor about one payment ({@code GET /payments/{id}}) told us. */
public sealed interface LookupOutcome {
    /** The processor has the payment, stored with this {@code requestedAt}. */
    record Found(Instant requestedAt) implements LookupOutcome {
    }

    /**
     * The processor has no such payment now. Not proof that it never will: a request still inside
     * the processor's delay is stored after it.
     */
    record NotFound() implements LookupOutcome {
    }

    /** No usable answer (down, rate-limited, timed out). */
    record Unavailable(String reason) implements LookupOutcome {
    }
}
