package dev.flowgate.settlement;

import dev.flowgate.payment.Payment;
import java.time.Instant;

/**
 * Told how each payment ended, just before settlement journals it: whoever reacts (the payment
 * flows) queues its work into the same or the next group commit, so a crash between the two can
 * repeat the reaction (the payment is reconciled and ends again), never lose it. Called on the
 * settlement workers: it must be quick and must not throw.
 */
public interface PaymentOutcomes {
    PaymentOutcomes NONE = new PaymentOutcomes() {
        @Override
        public void processed(Payment payment, String processor, Instant requestedAt) {
        }

        @Override
        public void failed(Payment payment, String reason) {
        }
    };

    /** {@code processor} took the payment, dated {@code requestedAt}. */
    void processed(Payment payment, String processor, Instant requestedAt);

    /** The payment failed for good (until an operator retries it), for {@code reason}. */
    void failed(Payment payment, String reason);
}
