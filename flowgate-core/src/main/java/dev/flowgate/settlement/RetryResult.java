package dev.flowgate.settlement;

import dev.flowgate.payment.PaymentRecord;
import dev.flowgate.payment.PaymentState;

/** What an operator's request to retry a payment did. */
public sealed interface RetryResult {
    /** The failed payment is queued again (still pinned where its outcome was unknown). */
    record Requeued(PaymentRecord payment) implements RetryResult {
    }

    /** No payment has this correlation id. */
    record NotFound() implements RetryResult {
    }

    /** Only a failed payment can be retried; this one is in another state and on its way. */
    record NotFailed(PaymentState state) implements RetryResult {
    }
}
