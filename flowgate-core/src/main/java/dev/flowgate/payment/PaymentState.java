package dev.flowgate.payment;

/**
 * Where a payment is in its life. Legal moves: QUEUED -> IN_FLIGHT (an attempt is being sent);
 * IN_FLIGHT -> QUEUED (the attempt ended without a settlement), PROCESSED or FAILED. PROCESSED and
 * FAILED are final.
 */
public enum PaymentState {
    QUEUED, IN_FLIGHT, PROCESSED, FAILED;

    public boolean isFinal() {
        return this == PROCESSED || this == FAILED;
    }
}
