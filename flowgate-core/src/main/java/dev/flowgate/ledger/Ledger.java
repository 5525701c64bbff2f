package dev.flowgate.ledger;

import java.time.Instant;
import java.util.Map;

/** The settled payments: only what a processor confirmed, each payment at most once. */
public interface Ledger {
    /**
     * Totals per processor name over payments whose {@code requestedAt} lies in {@code [from, to]}.
     *
     * @param from inclusive lower bound, or null for none
     * @param to   inclusive upper bound, or null for none
     * @return totals by processor name; processors with nothing settled in the window are absent
     */
    Map<String, Totals> summary(Instant from, Instant to);
}
