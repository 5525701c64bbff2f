package dev.flowgate.testkit.contest;

import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.OptionalDouble;

/**
 * The contest's score, as its k6 summary computes it: {@code net = gross - fees}; {@code p99}
 * rounded to 2 decimals; {@code bonus = max(round((11 - p99) * 0.02, 2), 0)}; {@code fine = 0.35}
 * after any inconsistency; {@code score = net * (1 + bonus - fine)}. Money is exact decimal
 * arithmetic; k6 uses big.js for it too, whose default rounding is half-up.
 */
final class Scoring {

    static final BigDecimal FINE = new BigDecimal("0.35");

    // The bonus at the upper bound's "p99 <= 1 ms". The formula would give up to 0.22 at 0 ms, but
    // the contest's own upper bound (about 2.03 M for the final) assumes 0.20.
    static final BigDecimal BEST_BONUS = new BigDecimal("0.20");

    private static final BigDecimal BONUS_FREE_P99_MILLIS = BigDecimal.valueOf(11);
    private static final BigDecimal BONUS_PER_MILLI = new BigDecimal("0.02");
    private static final int MONEY_SCALE = 2;
    private static final int RATIO_SCALE = 4;

    private Scoring() {
    }

    /**
     * The whole result from what the processors recorded over the scoring window.
     *
     * @param p99Millis    of the acknowledged payments; empty if there were none
     * @param acknowledged payments the backend acknowledged (200, 201, 202 or 204)
     * @param amount       of each payment, for {@link #bestScore}
     */
    static Score of(Summary defaultProcessor, Summary fallbackProcessor, OptionalDouble p99Millis,
            long inconsistencies, long acknowledged, BigDecimal amount) {
        BigDecimal gross = defaultProcessor.totalAmount().add(fallbackProcessor.totalAmount());
        BigDecimal fees = defaultProcessor.totalFee().add(fallbackProcessor.totalFee());
        BigDecimal net = gross.subtract(fees);
        BigDecimal bonus = bonus(p99Millis);
        BigDecimal fine = fine(inconsistencies);
        BigDecimal score = score(net, bonus, fine);
        BigDecimal cheapestFee = defaultProcessor.feePerTransaction().min(fallbackProcessor.feePerTransaction());
        BigDecimal best = bestScore(acknowledged, amount, cheapestFee);
        BigDecimal p99 = p99Millis.isPresent() ? roundedP99(p99Millis.getAsDouble()) : BigDecimal.ZERO.setScale(MONEY_SCALE);
        return new Score(gross, fees, net, p99, bonus, fine, score, best, ratio(score, best));
    }

    /**
     * Acknowledged payments the processors do not hold: still queued in the backend at the end, or
     * lost. Negative when they hold more than were acknowledged, which the contest calls a slush
     * fund ("caixa dois") and disqualifies.
     */
    static long lag(long acknowledged, long recordedDefault, long recordedFallback) {
        return acknowledged - (recordedDefault + recordedFallback);
    }

    /** {@code max(round((11 - round(p99, 2)) * 0.02, 2), 0)}; no successful request at all earns no bonus. */
    static BigDecimal bonus(OptionalDouble p99Millis) {
        if (p99Millis.isEmpty()) {
            return BigDecimal.ZERO.setScale(MONEY_SCALE);
        }
        BigDecimal p99 = roundedP99(p99Millis.getAsDouble());
        BigDecimal bonus = BONUS_FREE_P99_MILLIS.subtract(p99).multiply(BONUS_PER_MILLI)
                .setScale(MONEY_SCALE, RoundingMode.HALF_UP);
        return bonus.max(BigDecimal.ZERO.setScale(MONEY_SCALE));
    }

    /** The p99 as the contest reports and scores it: milliseconds, 2 decimals, half-up. */
    static BigDecimal roundedP99(double p99Millis) {
        return BigDecimal.valueOf(p99Millis).setScale(MONEY_SCALE, RoundingMode.HALF_UP);
    }

    /** 35 % after a single inconsistency, however many there were. */
    static BigDecimal fine(long inconsistencies) {
        return inconsistencies > 0 ? FINE : BigDecimal.ZERO.setScale(MONEY_SCALE);
    }

    /** {@code net * (1 + bonus - fine)}, to the cent. */
    static BigDecimal score(BigDecimal net, BigDecimal bonus, BigDecimal fine) {
        return net.multiply(BigDecimal.ONE.add(bonus).subtract(fine)).setScale(MONEY_SCALE, RoundingMode.HALF_UP);
    }

    /**
     * The best score this run allowed, simplified: every acknowledged payment paid on the cheaper
     * processor, no inconsistency, and p99 <= 1 ms (bonus 0.20). It ignores that a slow or failing
     * cheaper processor can force a backend to pay on the dearer one or to wait, so a perfect
     * backend may still stay below it; as a denominator it compares runs of the same schedule.
     */
    static BigDecimal bestScore(long acknowledged, BigDecimal amount, BigDecimal cheapestFee) {
        BigDecimal gross = amount.multiply(BigDecimal.valueOf(acknowledged));
        // The processor charges its fee on the total and rounds it to the cent; so does this bound.
        BigDecimal fees = gross.multiply(cheapestFee).setScale(MONEY_SCALE, RoundingMode.HALF_UP);
        return score(gross.subtract(fees), BEST_BONUS, BigDecimal.ZERO);
    }

    /** {@code score / best}, 4 decimals; 0 when nothing could be earned. */
    static BigDecimal ratio(BigDecimal score, BigDecimal best) {
        if (best.signum() <= 0) {
            return BigDecimal.ZERO.setScale(RATIO_SCALE);
        }
        return score.divide(best, RATIO_SCALE, RoundingMode.HALF_UP);
    }
}
