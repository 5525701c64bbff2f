package dev.flowgate.routing;

import dev.flowgate.processor.HealthOutcome;
import dev.flowgate.processor.ProcessorClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls each processor's health endpoint at most once per {@code interval} while this instance
 * holds the processor's {@link PollerLease}, and publishes what it learns on the {@link HealthBoard}.
 *
 * <p>The interval is measured from the start of one call to the start of the next, and a call is
 * never started while the previous one is outstanding: the processors queue extra calls for
 * seconds and then answer 429, which would turn the poller's view stale exactly when it matters.
 * A slow answer (past {@code timeout}) or a 429 is "unknown" and publishes nothing: the last
 * known health then ages, and the router stops trusting it.
 */
public final class HealthPoller implements AutoCloseable {
    /** The processors' limit is 1 call per 5 s; the margin absorbs clock skew between us and them. */
    public static final Duration CONTEST_INTERVAL = Duration.ofMillis(5_100);
    private static final Logger LOG = LoggerFactory.getLogger(HealthPoller.class);

    private final List<Thread> threads;

    public HealthPoller(List<ProcessorClient> processors, PollerLease lease, HealthBoard board,
                        Duration interval, Duration timeout, Clock clock) {
        this.threads = processors.stream()
                .map(p -> Thread.ofVirtual().name("health-" + p.name())
                        .start(() -> poll(p, lease, board, interval, timeout, clock)))
                .toList();
    }

    private static void poll(ProcessorClient processor, PollerLease lease, HealthBoard board,
                             Duration interval, Duration timeout, Clock clock) {
        while (!Thread.currentThread().isInterrupted()) {
            Instant started = clock.instant();
            try {
                if (lease.holds(processor.name())) {
                    switch (processor.health(timeout)) {
                        case HealthOutcome.Reported r -> board.publish(processor.name(),
                                new HealthBoard.Health(r.failing(), r.minResponseTime(), clock.instant()));
                        case HealthOutcome.Unknown u -> LOG.debug("health of {} unknown: {}", processor.name(), u.reason());
                    }
                }
            } catch (RuntimeException e) { // a poller that died would leave its processor's health to go stale
                LOG.warn("polling the health of {} failed; trying again in {} ms", processor.name(), interval.toMillis(), e);
            }
            Duration wait = Duration.between(clock.instant(), started.plus(interval));
            try {
                if (!wait.isNegative()) {
                    Thread.sleep(wait);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        threads.forEach(Thread::interrupt);
    }
}
