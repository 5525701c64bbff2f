package dev.flowgate.testkit.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SendScheduleTest {

    private static final long START = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void closedLoopHandsOutTheRequestLimitThenStops() {
        var schedule = new SendSchedule(START, Duration.ofSeconds(1), 3, 0);

        assertThat(schedule.closedLoop()).isTrue();
        assertThat(schedule.claim(START)).isEqualTo(0);
        assertThat(schedule.claim(START + MS)).isEqualTo(1);
        assertThat(schedule.claim(START + 2 * MS)).isEqualTo(2);
        assertThat(schedule.claim(START + 3 * MS)).isEqualTo(SendSchedule.DONE);
        assertThat(schedule.intendedStart(1, START + 7 * MS)).isEqualTo(START + 7 * MS);
    }

    @Test
    void closedLoopStopsAtTheDeadlineWithRequestsLeft() {
        var schedule = new SendSchedule(START, Duration.ofSeconds(1), Long.MAX_VALUE, 0);

        assertThat(schedule.claim(START + 999 * MS)).isEqualTo(0);
        assertThat(schedule.claim(START + 1000 * MS)).isEqualTo(SendSchedule.DONE);
    }

    @Test
    void fixedRatePlacesRequestsOnAGridWhateverTheTime() {
        var schedule = new SendSchedule(START, Duration.ofSeconds(1), Long.MAX_VALUE, 4);

        assertThat(schedule.closedLoop()).isFalse();
        // Claimed late, the requests keep the times they were due at: that is what the latency counts from.
        for (long ticket = 0; ticket < 4; ticket++) {
            assertThat(schedule.claim(START + 5000 * MS)).isEqualTo(ticket);
            assertThat(schedule.intendedStart(ticket, START + 5000 * MS)).isEqualTo(START + ticket * 250 * MS);
        }
        // The fifth would be due at the deadline.
        assertThat(schedule.claim(START)).isEqualTo(SendSchedule.DONE);
    }

    @Test
    void fixedRateAlsoHonoursTheRequestLimit() {
        var schedule = new SendSchedule(START, Duration.ofSeconds(1), 2, 1000);

        assertThat(schedule.claim(START)).isEqualTo(0);
        assertThat(schedule.claim(START)).isEqualTo(1);
        assertThat(schedule.claim(START)).isEqualTo(SendSchedule.DONE);
    }
}
