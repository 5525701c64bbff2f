package dev.flowgate.settlement;

import dev.flowgate.intake.Payment;

/**
 * A payment waiting for its next settlement step.
 *
 * @param pinnedProcessor where an earlier attempt's outcome is unknown, or null: a pinned payment is
 *                        reconciled there first and never sent anywhere else
 * @param attempts        sends so far
 */
public record PaymentTask(Payment payment, String pinnedProcessor, int attempts) {
    public static PaymentTask fresh(Payment payment) {
        return new PaymentTask(payment, null, 0);
    }

    PaymentTask after(String pinned) {
        return new PaymentTask(payment, pinned, attempts + 1);
    }

    PaymentTask pinnedTo(String processor) {
        return new PaymentTask(payment, processor, attempts);
    }
}
