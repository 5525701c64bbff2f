package dev.flowgate.testkit.contest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioTest {

    private final Scenario finalRun = Scenario.finalRun();

    @Test
    void theFinalRampsLikeK6FromOneTo603Over300Seconds() {
        assertThat(finalRun.activeVus(Duration.ZERO)).isEqualTo(1);
        assertThat(finalRun.activeVus(Duration.ofSeconds(150))).isEqualTo(302);
        assertThat(finalRun.activeVus(Duration.ofMillis(299_999))).isEqualTo(602);
        assertThat(finalRun.activeVus(Duration.ofSeconds(300))).isEqualTo(603);
        assertThat(finalRun.activeVus(Duration.ofSeconds(400))).isEqualTo(603);
        assertThat(finalRun.activeVus(Duration.ofNanos(-1))).isZero();
    }

    @Test
    void eachUserStartsExactlyWhenTheRampCountsIt() {
        for (int i = 0; i < finalRun.peakVus(); i++) {
            Duration start = finalRun.vuStart(i);
            assertThat(finalRun.activeVus(start)).as("user %d at its start", i).isGreaterThanOrEqualTo(i + 1);
            if (i > 0) {
                assertThat(finalRun.activeVus(start.minusNanos(1))).as("user %d just before", i).isLessThanOrEqualTo(i);
            }
        }
        assertThat(finalRun.vuStart(0)).isZero();
        assertThat(finalRun.vuStart(602)).isEqualTo(Duration.ofSeconds(300));
    }

    @Test
    void aSingleUserStartsAtOnce() {
        Scenario one = finalRun.scaled(Duration.ofSeconds(10), 1);

        assertThat(one.vuStart(0)).isZero();
        assertThat(one.activeVus(Duration.ofSeconds(5))).isEqualTo(1);
    }

    @Test
    void theFinalScheduleIsTheContests() {
        assertThat(finalRun.phaseAt(Duration.ofMillis(999))).isEmpty();
        assertThat(finalRun.phaseAt(Duration.ofSeconds(1)).orElseThrow().defaultProcessor()).isEqualTo(Condition.HEALTHY);
        Phase at125 = finalRun.phaseAt(Duration.ofSeconds(125)).orElseThrow();
        assertThat(at125.defaultProcessor()).isEqualTo(new Condition(5000, true));
        assertThat(at125.fallbackProcessor()).isEqualTo(new Condition(5, false));
        Phase last = finalRun.phaseAt(Duration.ofSeconds(299)).orElseThrow();
        assertThat(last.at()).isEqualTo(Duration.ofSeconds(270));
        assertThat(last.defaultProcessor()).isEqualTo(new Condition(2000, false));
        assertThat(finalRun.phases()).hasSize(10);
        assertThat(finalRun.amount()).isEqualByComparingTo("20.05");
        assertThat(finalRun.defaultFee()).isEqualByComparingTo("0.07");
        assertThat(finalRun.fallbackFee()).isEqualByComparingTo("0.10");
    }

    @Test
    void thePreviewChangesConditionsEvery10Seconds() {
        Scenario preview = Scenario.preview();

        assertThat(preview.length()).isEqualTo(Duration.ofSeconds(60));
        assertThat(preview.peakVus()).isEqualTo(550);
        assertThat(preview.amount()).isEqualByComparingTo("19.90");
        assertThat(preview.defaultFee()).isEqualByComparingTo("0.05");
        assertThat(preview.fallbackFee()).isEqualByComparingTo("0.15");
        assertThat(preview.phases()).extracting(Phase::at).containsExactly(Duration.ofSeconds(1),
                Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(40),
                Duration.ofSeconds(50));
        Phase bothFailing = preview.phaseAt(Duration.ofSeconds(35)).orElseThrow();
        assertThat(bothFailing.defaultProcessor().failing()).isTrue();
        assertThat(bothFailing.fallbackProcessor().failing()).isTrue();
        assertThat(preview.scoringWindow()).isEqualTo(Duration.ofSeconds(70));
    }

    @Test
    void checksRunAtTheStartAndEvery10SecondsBeforeTheEnd() {
        List<Duration> offsets = finalRun.checkOffsets();

        assertThat(offsets).hasSize(30);
        assertThat(offsets.getFirst()).isZero();
        assertThat(offsets.get(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(offsets.getLast()).isEqualTo(Duration.ofSeconds(290));
    }

    @Test
    void aCheckComparesFrom15UpTo2SecondsAgoInMilliseconds() {
        CheckWindow window = finalRun.checkWindow(Instant.parse("2025-07-15T12:01:00.123456Z"));

        assertThat(window.from()).isEqualTo(Instant.parse("2025-07-15T12:00:45.123Z"));
        assertThat(window.to()).isEqualTo(Instant.parse("2025-07-15T12:00:58.123Z"));
        assertThat(window.query()).isEqualTo("from=2025-07-15T12:00:45.123Z&to=2025-07-15T12:00:58.123Z");
        assertThat(new CheckWindow(Instant.parse("2025-07-15T12:00:00Z"), Instant.parse("2025-07-15T12:00:01Z")).query())
                .as("a zero fraction is still written")
                .isEqualTo("from=2025-07-15T12:00:00.000Z&to=2025-07-15T12:00:01.000Z");
    }

    @Test
    void compressingScalesTheTimelineAndFloorsTheWindows() {
        Scenario short4 = finalRun.scaled(Duration.ofSeconds(4), 20);

        assertThat(short4.length()).isEqualTo(Duration.ofSeconds(4));
        assertThat(short4.peakVus()).isEqualTo(20);
        assertThat(short4.activeVus(Duration.ofSeconds(2))).isEqualTo(10);
        assertThat(short4.phases()).extracting(Phase::at).containsExactly(Duration.ofMillis(13), Duration.ofMillis(400),
                Duration.ofMillis(800), Duration.ofMillis(1200), Duration.ofMillis(1600), Duration.ofMillis(2000),
                Duration.ofMillis(2400), Duration.ofMillis(2800), Duration.ofMillis(3200), Duration.ofMillis(3600));
        assertThat(short4.phases().get(3).defaultProcessor()).as("delays do not scale").isEqualTo(new Condition(2000, true));
        assertThat(short4.checkInterval()).as("10 s scaled is 133 ms, floored at 2 s").isEqualTo(Duration.ofSeconds(2));
        assertThat(short4.checkOffsets()).containsExactly(Duration.ZERO, Duration.ofSeconds(2));
        assertThat(short4.windowStart()).isEqualTo(Duration.ofSeconds(3));
        assertThat(short4.windowEnd()).isEqualTo(Duration.ofSeconds(2));
        assertThat(short4.settle()).isEqualTo(Duration.ofMillis(500));
        assertThat(short4.scoringWindow()).isEqualTo(Duration.ofSeconds(64));
        assertThat(short4.amount()).isEqualByComparingTo("20.05");
    }

    @Test
    void halvingScalesWindowsAboveTheirFloors() {
        Scenario half = finalRun.scaled(Duration.ofSeconds(150), 603);

        assertThat(half.checkInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(half.windowStart()).isEqualTo(Duration.ofMillis(7500));
        assertThat(half.windowEnd()).isEqualTo(Duration.ofSeconds(2));
        assertThat(half.settle()).isEqualTo(Duration.ofSeconds(1));
        assertThat(half.phases().get(1).at()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void stretchingScalesTheTimelineButNotTheWindows() {
        Scenario longer = finalRun.scaled(Duration.ofSeconds(600), 1000);

        assertThat(longer.phases().getLast().at()).isEqualTo(Duration.ofSeconds(540));
        assertThat(longer.checkInterval()).isEqualTo(Duration.ofSeconds(20));
        assertThat(longer.windowStart()).isEqualTo(Duration.ofSeconds(15));
        assertThat(longer.windowEnd()).isEqualTo(Duration.ofSeconds(2));
        assertThat(longer.settle()).isEqualTo(Duration.ofSeconds(2));
        assertThat(longer.scoringWindow()).isEqualTo(Duration.ofSeconds(660));
        assertThat(longer.activeVus(Duration.ofSeconds(300))).isEqualTo(500);
    }

    @Test
    void scalingToTheSameLengthChangesNothingButTheUsers() {
        Scenario same = finalRun.scaled(Duration.ofSeconds(300), 603);

        assertThat(same).isEqualTo(finalRun);
    }

    @Test
    void impossibleScenariosAreRefused() {
        assertThatThrownBy(() -> finalRun.scaled(Duration.ZERO, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> finalRun.scaled(Duration.ofSeconds(3601), 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> finalRun.scaled(Duration.ofSeconds(10), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> finalRun.scaled(Duration.ofSeconds(10), 5001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Scenario("x", Duration.ofSeconds(10), 1, BigDecimal.ONE, BigDecimal.ZERO,
                BigDecimal.ZERO, List.of(Phase.at(5, 0, false, 0, false), Phase.at(1, 0, false, 0, false)),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(20)))
                .hasMessageContaining("phases out of order");
    }
}
