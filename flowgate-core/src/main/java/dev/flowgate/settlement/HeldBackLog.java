package dev.flowgate.settlement;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log line for payments that cannot progress: the first one at once, then at most one line
 * per {@link #INTERVAL} that counts what happened meanwhile. During an outage every waiting payment
 * is held back about once per backoff cap; a line for each would bury the log.
 */
final class HeldBackLog {
    static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(HeldBackLog.class);

    private final Clock clock;
    private long nextLineMillis = Long.MIN_VALUE;
    private long heldBack;

    HeldBackLog(Clock clock) {
        this.clock = clock;
    }

    /** Notes that a payment was held back; logs if a line is due. */
    void heldBack(UUID correlationId, String reason) {
        long count;
        long now = clock.millis();
        synchronized (this) {
            heldBack++;
            if (now < nextLineMillis) {
                return;
            }
            count = heldBack;
            heldBack = 0;
            nextLineMillis = now + INTERVAL.toMillis();
        }
        LOG.warn("{} payment step(s) held back since the last line; latest: payment {}: {}", count, correlationId, reason);
    }
}
