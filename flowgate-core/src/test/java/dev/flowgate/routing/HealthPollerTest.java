package dev.flowgate.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.payment.Payment;
import dev.flowgate.processor.HealthOutcome;
import dev.flowgate.processor.LookupOutcome;
import dev.flowgate.processor.ProcessorClient;
import dev.flowgate.processor.SendOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class HealthPollerTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);

    /** Records when each health call started; answers after {@code answerTime}. */
    private static class CountingProcessor implements ProcessorClient {
        final List<Long> callStarts = new CopyOnWriteArrayList<>();
        final Duration answerTime;
        final HealthOutcome answer;

        CountingProcessor(Duration answerTime, HealthOutcome answer) {
            this.answerTime = answerTime;
            this.answer = answer;
        }

        @Override
        public String name() {
            return "default";
        }

        @Override
        public SendOutcome send(Payment payment, Instant requestedAt) {
            throw new AssertionError();
        }

        @Override
        public LookupOutcome lookup(UUID correlationId) {
            throw new AssertionError();
        }

        @Override
        public HealthOutcome health(Duration timeout) {
            callStarts.add(System.nanoTime());
            try {
                Thread.sleep(answerTime);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return answer;
        }
    }

    @Test
    void callsAreAtLeastOneIntervalApartEvenWhenAnswersAreSlow() throws InterruptedException {
        CountingProcessor processor = new CountingProcessor(Duration.ofMillis(150),
                new HealthOutcome.Reported(false, Duration.ZERO));
        HealthBoard board = new HealthBoard((name, health) -> { });
        try (HealthPoller poller = new HealthPoller(List.of(processor), PollerLease.solo(), board, INTERVAL,
                Duration.ofSeconds(1), Clock.systemUTC())) {
            Thread.sleep(700);
        }
        List<Long> starts = List.copyOf(processor.callStarts);
        assertThat(starts).hasSizeGreaterThanOrEqualTo(2);
        for (int i = 1; i < starts.size(); i++) {
            // The poller paces on the wall clock, the test measures on nanoTime: allow a millisecond.
            assertThat(starts.get(i) - starts.get(i - 1)).isGreaterThanOrEqualTo(INTERVAL.minusMillis(1).toNanos());
        }
    }

    @Test
    void aHealthCallThatThrowsDoesNotStopThePolling() throws InterruptedException {
        CountingProcessor throwing = new CountingProcessor(Duration.ZERO, null) {
            @Override
            public HealthOutcome health(Duration timeout) {
                super.health(timeout);
                throw new IllegalStateException("a client bug");
            }
        };
        HealthBoard board = new HealthBoard((name, health) -> { });
        try (HealthPoller poller = new HealthPoller(List.of(throwing), PollerLease.solo(), board, INTERVAL,
                Duration.ofSeconds(1), Clock.systemUTC())) {
            Thread.sleep(450);
        }
        assertThat(throwing.callStarts).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void reportedHealthIsPublishedAndUnknownIsNot() throws InterruptedException {
        CountingProcessor healthy = new CountingProcessor(Duration.ZERO, new HealthOutcome.Reported(true, Duration.ofMillis(42)));
        List<HealthBoard.Health> published = new CopyOnWriteArrayList<>();
        HealthBoard board = new HealthBoard((name, health) -> published.add(health));
        try (HealthPoller poller = new HealthPoller(List.of(healthy), PollerLease.solo(), board, INTERVAL,
                Duration.ofSeconds(1), Clock.systemUTC())) {
            Thread.sleep(250);
        }
        assertThat(published).isNotEmpty().allMatch(h -> h.failing() && h.minResponseTime().toMillis() == 42);

        CountingProcessor unknown = new CountingProcessor(Duration.ZERO, new HealthOutcome.Unknown("429"));
        HealthBoard quiet = new HealthBoard((name, health) -> published.add(health));
        published.clear();
        try (HealthPoller poller = new HealthPoller(List.of(unknown), PollerLease.solo(), quiet, INTERVAL,
                Duration.ofSeconds(1), Clock.systemUTC())) {
            Thread.sleep(250);
        }
        assertThat(unknown.callStarts).isNotEmpty();
        assertThat(published).isEmpty();
    }

    @Test
    void withoutTheLeaseNoCallIsMade() throws InterruptedException {
        CountingProcessor processor = new CountingProcessor(Duration.ZERO, new HealthOutcome.Reported(false, Duration.ZERO));
        try (HealthPoller poller = new HealthPoller(List.of(processor), name -> false,
                new HealthBoard((name, health) -> { }), INTERVAL, Duration.ofSeconds(1), Clock.systemUTC())) {
            Thread.sleep(250);
        }
        assertThat(processor.callStarts).isEmpty();
    }
}
