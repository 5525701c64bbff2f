package dev.flowgate.store;

import dev.flowgate.payment.AcceptResult;
import dev.flowgate.payment.Payment;
import dev.flowgate.payment.PaymentRecord;
import dev.flowgate.payment.PaymentState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable record of every accepted payment and of each attempt to settle it. Every write is
 * durable when its method returns (as durable as the configured durability says); concurrent writers
 * share commits. Writes about a payment that no longer exists (it was purged) do nothing.
 */
public interface Journal extends AutoCloseable {

    /** Journals a new payment, or tells that its correlation id is already known. */
    AcceptResult append(Payment payment);

    /** Payments not yet processed or failed, oldest first: the work to resume after a restart. */
    List<PaymentRecord> unfinished();

    /**
     * Records that an attempt is about to be sent: written before the request leaves, so a crash
     * during the call is reconciled on {@code processor} at restart instead of being sent elsewhere.
     *
     * @return false if the payment is gone or already final, and must not be sent
     */
    boolean attemptStarted(UUID correlationId, String processor, Instant requestedAt);

    /** Records the settlement: the payment is final and enters the ledger, once. */
    void processed(UUID correlationId, String processor, Instant requestedAt);

    /**
     * Records that an attempt ended without settlement and the payment waits for the next one.
     *
     * @param pinnedProcessor the processor where the outcome is still unknown, or null if none
     */
    void attemptEnded(UUID correlationId, String pinnedProcessor, String error);

    /** Records that the payment will not be retried, and why. */
    void failed(UUID correlationId, String reason);

    Optional<PaymentRecord> find(UUID correlationId);

    /**
     * Payments in {@code state}, in correlation id order, after {@code after} (null: from the start):
     * one page of at most {@code limit}.
     */
    List<PaymentRecord> list(PaymentState state, UUID after, int limit);

    /**
     * Makes a failed payment queued again, keeping its pin, for an operator's retry.
     *
     * @return the payment as now queued, or empty if it is unknown or not failed
     */
    Optional<PaymentRecord> requeueFailed(UUID correlationId);

    /** Deletes every payment and ledger entry. For tests and the contest's reset. */
    void purge();

    @Override
    void close();
}
