package dev.flowgate.testkit.contest;

import java.math.BigDecimal;
import java.util.Objects;

/** What the backend's {@code GET /payments-summary} says it paid on each processor. */
record BackendSummary(Totals defaultProcessor, Totals fallbackProcessor) {

    /** What a failed or late summary counts as, per the contest. */
    static final BackendSummary ZERO = new BackendSummary(Totals.ZERO, Totals.ZERO);

    BackendSummary {
        Objects.requireNonNull(defaultProcessor, "defaultProcessor");
        Objects.requireNonNull(fallbackProcessor, "fallbackProcessor");
    }

    /** {@code totalRequests} and {@code totalAmount} of one processor. */
    record Totals(long count, BigDecimal amount) {

        static final Totals ZERO = new Totals(0, BigDecimal.ZERO);

        Totals {
            Objects.requireNonNull(amount, "amount");
        }
    }
}
