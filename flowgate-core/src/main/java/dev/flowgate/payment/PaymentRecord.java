package dev.flowgate.payment;

import java.time.Instant;
import java.util.UUID;

/**
 * Everything the journal knows about one payment.
 *
 * @param processor   the processor of the last attempt (the settling one once PROCESSED), or null
 * @param pinned      true while the outcome at {@code processor} is unknown: the payment must be
 *                    reconciled there and may not go to any other processor
 * @param requestedAt the {@code requestedAt} sent with the last attempt (the ledger's instant once
 *                    PROCESSED), or null before the first attempt
 * @param lastError   why the last attempt did not settle, or null
 */
public record PaymentRecord(
        UUID correlationId,
        long amountCents,
        PaymentState state,
        String processor,
        boolean pinned,
        Instant requestedAt,
        int attempts,
        String lastError,
        Instant acceptedAt) {
}
