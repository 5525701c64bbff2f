package dev.flowgate.payment;

/** What intake did with a payment; each case maps to one HTTP answer. */
public sealed interface AcceptResult {
    /** Newly journaled and queued for processing. */
    record Accepted() implements AcceptResult {
    }

    /** The same correlation id with the same amount was accepted before: nothing new happens. */
    record AlreadyAccepted() implements AcceptResult {
    }

    /** The correlation id was accepted before with another amount: refused, the first one stands. */
    record Conflict(long existingAmountCents) implements AcceptResult {
    }
}
