package dev.flowgate.payment;

import java.math.BigDecimal;

/** Conversions between decimal amounts and the cents that Flowgate stores; never through {@code double}. */
public final class Amounts {
    /** The largest accepted amount: 1,000,000,000.00. Sums of 9 million of them still fit in a {@code long}. */
    public static final long MAX_CENTS = 100_000_000_000L;

    private Amounts() {
    }

    /** The amount in cents as an exact decimal with two fraction digits, e.g. 2005 -> 20.05. */
    public static BigDecimal toDecimal(long cents) {
        return BigDecimal.valueOf(cents, 2);
    }
}
