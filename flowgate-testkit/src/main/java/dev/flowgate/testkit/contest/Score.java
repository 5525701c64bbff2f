package dev.flowgate.testkit.contest;

import java.math.BigDecimal;

/**
 * The contest's result of one run, computed by {@link Scoring#of}.
 *
 * @param p99 milliseconds, 2 decimals; 0 when no payment was acknowledged (and then no bonus)
 */
record Score(BigDecimal gross, BigDecimal fees, BigDecimal net, BigDecimal p99, BigDecimal bonus,
        BigDecimal fine, BigDecimal score, BigDecimal bestScore, BigDecimal scoreRatio) {
}
