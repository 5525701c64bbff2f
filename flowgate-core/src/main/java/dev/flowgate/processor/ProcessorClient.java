package dev.flowgate.processor;

import dev.flowgate.payment.Payment;
import java.time.Instant;
import java.util.UUID;

/** One payment processor, as the workers see it. Implementations block; call them from virtual threads. */
public interface ProcessorClient {
    /** The configured name, e.g. "default"; the ledger records payments under it. */
    String name();

    /** Sends the payment with this {@code requestedAt}, stamped by the caller for this attempt. */
    SendOutcome send(Payment payment, Instant requestedAt);

    /** Asks whether the processor stored the payment, to reconcile an unknown outcome. */
    LookupOutcome lookup(UUID correlationId);

    /**
     * Asks the processor's health endpoint. Processors rate-limit this endpoint for all callers
     * together: call it only from the deployment's single health poller.
     */
    HealthOutcome health(java.time.Duration timeout);
}
