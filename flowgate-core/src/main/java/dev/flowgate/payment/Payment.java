package dev.flowgate.payment;

import java.util.Objects;
import java.util.UUID;

/**
 * A payment as accepted at intake: who it is (the caller's correlation id) and how much, in cents.
 *
 * @param correlationId the caller's id for the payment; the idempotency key everywhere downstream
 * @param amountCents   the amount in cents, always positive
 */
public record Payment(UUID correlationId, long amountCents) {
    public Payment {
        Objects.requireNonNull(correlationId, "correlationId");
        if (amountCents <= 0) {
            throw new IllegalArgumentException("amount must be positive: " + amountCents);
        }
    }
}
