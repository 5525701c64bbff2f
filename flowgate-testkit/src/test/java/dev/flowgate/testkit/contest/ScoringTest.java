package dev.flowgate.testkit.contest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.math.BigDecimal;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScoringTest {

    @ParameterizedTest(name = "p99 {0} ms -> bonus {1}")
    @CsvSource({
            "2.55, 0.17",   // the final's winner: (11 - 2.55) * 0.02 = 0.169
            "2.554, 0.17",  // p99 is first rounded to 2 decimals, like the contest's summary
            "1.08, 0.20",   // 0.1984
            "1.0, 0.20",
            "0.0, 0.22",    // the formula has no cap; only the best-score bound assumes 0.20
            "10.75, 0.01",  // exactly 0.005: half-up
            "11.0, 0.00",
            "250.0, 0.00"}) // never negative
    void bonusIsTwoPercentPerMillisecondBelow11RoundedToHundredths(double p99, String bonus) {
        assertThat(Scoring.bonus(OptionalDouble.of(p99))).isEqualByComparingTo(bonus);
    }

    @Test
    void noSuccessfulRequestEarnsNoBonus() {
        assertThat(Scoring.bonus(OptionalDouble.empty())).isEqualByComparingTo("0");
    }

    @Test
    void aSingleInconsistencyCosts35Percent() {
        assertThat(Scoring.fine(0)).isEqualByComparingTo("0");
        assertThat(Scoring.fine(1)).isEqualByComparingTo("0.35");
        assertThat(Scoring.fine(9_000)).isEqualByComparingTo("0.35");
    }

    @Test
    void scoreIsNetTimesOnePlusBonusMinusFine() {
        assertThat(Scoring.score(new BigDecimal("1000.00"), new BigDecimal("0.17"), new BigDecimal("0.35")))
                .isEqualTo(new BigDecimal("820.00"));
        assertThat(Scoring.score(new BigDecimal("1689372.90"), new BigDecimal("0.17"), BigDecimal.ZERO))
                .isEqualTo(new BigDecimal("1976566.29"));
    }

    @Test
    void theFinalsBestScoreIsAbout2Point03Million() {
        // 90,600 payments of 20.05 = 1,816,530.00; 7 % fee 127,157.10; net 1,689,372.90; * 1.20.
        assertThat(Scoring.bestScore(90_600, new BigDecimal("20.05"), new BigDecimal("0.07")))
                .isEqualTo(new BigDecimal("2027247.48"));
        assertThat(Scoring.bestScore(0, new BigDecimal("20.05"), new BigDecimal("0.07"))).isEqualByComparingTo("0");
    }

    @Test
    void theResultComesFromTheProcessorsSummaries() {
        Summary defaultProcessor = new Summary(100, new BigDecimal("2005.00"), new BigDecimal("140.35"), new BigDecimal("0.07"));
        Summary fallbackProcessor = new Summary(10, new BigDecimal("200.50"), new BigDecimal("20.05"), new BigDecimal("0.10"));

        Score score = Scoring.of(defaultProcessor, fallbackProcessor, OptionalDouble.of(2.0), 0, 110, new BigDecimal("20.05"));

        assertThat(score.gross()).isEqualTo(new BigDecimal("2205.50"));
        assertThat(score.fees()).isEqualTo(new BigDecimal("160.40"));
        assertThat(score.net()).isEqualTo(new BigDecimal("2045.10"));
        assertThat(score.p99()).isEqualTo(new BigDecimal("2.00"));
        assertThat(score.bonus()).isEqualByComparingTo("0.18");
        assertThat(score.fine()).isEqualByComparingTo("0");
        assertThat(score.score()).isEqualTo(new BigDecimal("2413.22"));
        // 110 * 20.05 = 2205.50 at 7 %: fee 154.39, net 2051.11, * 1.20.
        assertThat(score.bestScore()).isEqualTo(new BigDecimal("2461.33"));
        assertThat(score.scoreRatio()).isEqualTo(new BigDecimal("0.9805"));
    }

    @Test
    void anInconsistencyAndNoSuccessfulRequestShowInTheResult() {
        Summary none = new Summary(0, new BigDecimal("0.00"), new BigDecimal("0.00"), new BigDecimal("0.05"));

        Score score = Scoring.of(none, none, OptionalDouble.empty(), 3, 0, new BigDecimal("19.90"));

        assertThat(score.fine()).isEqualByComparingTo("0.35");
        assertThat(score.p99()).isEqualByComparingTo("0");
        assertThat(score.score()).isEqualByComparingTo("0");
        assertThat(score.scoreRatio()).isEqualByComparingTo("0");
    }

    @Test
    void lagIsAcknowledgedMinusRecordedAndNegativeMeansASlushFund() {
        assertThat(Scoring.lag(110, 100, 10)).isZero();
        assertThat(Scoring.lag(120, 100, 10)).isEqualTo(10);
        assertThat(Scoring.lag(100, 100, 10)).isEqualTo(-10);
    }
}
