package dev.flowgate.settlement;

import dev.flowgate.payment.Payment;

/**
 * A payment waiting for its next settlement step. The payment and its pin are durable (the journal
 * has them and rebuilds this after a restart); the rest only paces this process's retries.
 *
 * @param pinnedProcessor       where an earlier attempt's outcome is unknown, or null: a pinned
 *                              payment is reconciled there first and never sent anywhere else
 * @param setbacks              rounds in a row that could not move the payment on (a processor
 *                              fault, no processor free, a lookup without an answer): the backoff's
 *                              exponent
 * @param unconfirmedDuplicates 422 answers ("already have it") so far whose lookup then did not find it
 * @param reported              the reason last written as the payment's {@code lastError}, or null;
 *                              an unchanged reason is not written again
 */
public record PaymentTask(Payment payment, String pinnedProcessor, int setbacks, int unconfirmedDuplicates,
                          String reported) {
    public static PaymentTask fresh(Payment payment) {
        return new PaymentTask(payment, null, 0, 0, null);
    }

    /** A payment the journal holds unfinished after a restart. */
    public static PaymentTask resumed(Payment payment, String pinnedProcessor) {
        return new PaymentTask(payment, pinnedProcessor, 0, 0, null);
    }

    PaymentTask pinnedTo(String processor) {
        return new PaymentTask(payment, processor, setbacks, unconfirmedDuplicates, reported);
    }

    PaymentTask setBack(String reason) {
        return new PaymentTask(payment, pinnedProcessor, setbacks + 1, unconfirmedDuplicates, reason);
    }

    PaymentTask duplicateAnswered(String reason) {
        return new PaymentTask(payment, pinnedProcessor, setbacks, unconfirmedDuplicates + 1, reason);
    }
}
