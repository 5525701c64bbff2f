package dev.flowgate.ledger;

/** Count and sum of settled payments. */
public record Totals(long count, long amountCents) {
    public static final Totals ZERO = new Totals(0, 0);
}
