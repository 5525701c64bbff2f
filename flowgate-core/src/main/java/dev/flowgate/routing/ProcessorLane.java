package dev.flowgate.routing;

import dev.flowgate.processor.ProcessorClient;
import dev.flowgate.processor.SendOutcome;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything the router tracks about one processor: its circuit breaker (Resilience4j), the calls
 * in flight to it, the latency it showed, and until when it asked us to stay away (429).
 */
final class ProcessorLane {
    private static final double LATENCY_WEIGHT = 0.2; // EWMA: about the last 5 calls dominate

    final ProcessorClient client;
    final double fee;
    /** Latency added to this lane's in the cost: the margin a processor configured earlier at the same fee keeps. */
    final Duration preferencePenalty;
    final CircuitBreaker breaker;
    private final AdaptiveLimit inFlight;
    private final Duration slowCall;
    private final AtomicLong latencyNanos = new AtomicLong(-1);
    private volatile Instant rateLimitedUntil = Instant.MIN;
    private volatile Instant openedUntil = Instant.MIN;
    private volatile String lastOutcome;

    ProcessorLane(ProcessorClient client, BigDecimal fee, Duration preferencePenalty, RoutingPolicy policy, Clock clock) {
        this.client = client;
        this.fee = fee.doubleValue();
        this.preferencePenalty = preferencePenalty;
        this.inFlight = new AdaptiveLimit(policy.maxInFlight());
        this.slowCall = policy.slowCall();
        this.breaker = CircuitBreaker.of(client.name(), CircuitBreakerConfig.custom()
                .slidingWindow(20, 5, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(50)
                .slowCallDurationThreshold(policy.slowCall())
                .slowCallRateThreshold(80)
                .waitDurationInOpenState(policy.openDuration())
                .permittedNumberOfCallsInHalfOpenState(3)
                .clock(clock)
                .build());
        breaker.getEventPublisher().onStateTransition(event -> {
            if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                // Resilience4j half-opens strictly after the wait: one millisecond later.
                openedUntil = clock.instant().plus(policy.openDuration()).plusMillis(1);
            }
        });
    }

    String name() {
        return client.name();
    }

    /** When this lane may take calls again, or {@code now} (or earlier) if it may now. */
    Instant blockedUntil(Instant now) {
        Instant until = rateLimitedUntil;
        if (breaker.getState() == CircuitBreaker.State.OPEN && openedUntil.isAfter(until)) {
            until = openedUntil;
        }
        return until;
    }

    /** Why {@link #blockedUntil} is in the future, as a payment's {@code lastError} says it. */
    String blockedReason(Instant now) {
        return rateLimitedUntil.isAfter(now) ? name() + " rate-limited us (429)" : name() + " breaker open";
    }

    /** Why a reservation was or was not made. */
    enum Admission { RESERVED, IN_FLIGHT_FULL, BREAKER_REFUSED }

    /** Reserves a call: the breaker permits it and a place in flight is free. */
    Admission tryAcquire() {
        if (!inFlight.tryAcquire()) {
            return Admission.IN_FLIGHT_FULL;
        }
        if (!breaker.tryAcquirePermission()) {
            inFlight.release();
            return Admission.BREAKER_REFUSED;
        }
        return Admission.RESERVED;
    }

    /** The reservation a {@link Admission#RESERVED} call is made on; it ends here. */
    Reservation reservation() {
        return new Reservation(client, new Reservation.Ending() {
            @Override
            public void outcome(SendOutcome outcome, Duration took, Instant now) {
                record(outcome, took, now);
            }

            @Override
            public void release() {
                releaseWithoutOutcome();
            }
        });
    }

    /** Ends a reserved call that was a lookup, not a payment: the breaker learns nothing from it. */
    private void releaseWithoutOutcome() {
        breaker.releasePermission();
        inFlight.release();
    }

    /** Ends a reserved call with its outcome; the place in flight is given back whatever the breaker does. */
    private void record(SendOutcome outcome, Duration took, Instant now) {
        boolean answeredInTime = false;
        try {
            answeredInTime = learn(outcome, took, now);
        } finally {
            if (outcome instanceof SendOutcome.RateLimited) {
                inFlight.release(); // says the processor is full, not slow: Retry-After handles it
            } else if (answeredInTime) {
                inFlight.releaseFast();
            } else {
                inFlight.releaseSlow();
            }
        }
    }

    /** Tells the breaker and the latency estimate; true if the processor answered, in time. */
    private boolean learn(SendOutcome outcome, Duration took, Instant now) {
        long nanos = took.toNanos();
        lastOutcome = outcome.getClass().getSimpleName();
        switch (outcome) {
            case SendOutcome.Processed p -> {
                breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
                latencyNanos.updateAndGet(old -> old < 0 ? nanos : (long) (old + LATENCY_WEIGHT * (nanos - old)));
            }
            case SendOutcome.AlreadyProcessed a -> breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            case SendOutcome.RateLimited r -> {
                rateLimitedUntil = now.plus(r.retryAfter());
                breaker.releasePermission();
            }
            case SendOutcome.Failed f -> breaker.onError(nanos, TimeUnit.NANOSECONDS, new ProcessorFailure(f.reason()));
            case SendOutcome.NotSent n -> breaker.onError(nanos, TimeUnit.NANOSECONDS, new ProcessorFailure(n.reason()));
            case SendOutcome.Unknown u -> breaker.onError(nanos, TimeUnit.NANOSECONDS, new ProcessorFailure(u.reason()));
        }
        boolean answered = outcome instanceof SendOutcome.Processed || outcome instanceof SendOutcome.AlreadyProcessed;
        return answered && took.compareTo(slowCall) <= 0;
    }

    /**
     * The latency a payment sent now should expect: what calls showed lately, and at least the
     * delay the processor itself reports.
     */
    Duration expectedLatency(Optional<HealthBoard.Health> health) {
        long observed = Math.max(latencyNanos.get(), 0);
        long reported = health.map(h -> h.minResponseTime().toNanos()).orElse(0L);
        return Duration.ofNanos(Math.max(observed, reported));
    }

    ProcessorStatus status(Optional<HealthBoard.Health> health) {
        return new ProcessorStatus(name(), breaker.getState().name().toLowerCase(java.util.Locale.ROOT),
                inFlight.inFlight(), inFlight.limit(), expectedLatency(health).toMillis(),
                health.map(HealthBoard.Health::failing).orElse(null),
                health.map(h -> h.minResponseTime().toMillis()).orElse(null),
                lastOutcome);
    }

    /** What the breaker records as an error; never thrown. */
    private static final class ProcessorFailure extends Exception {
        ProcessorFailure(String message) {
            super(message, null, false, false);
        }
    }
}
