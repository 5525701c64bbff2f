package dev.flowgate.routing;

import dev.flowgate.processor.ProcessorClient;
import dev.flowgate.processor.SendOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Priority failover: the first processor in configuration order (the cheapest, "default") unless it
 * is cooling down after failures, then the next. A failure cools a processor down for a period that
 * doubles with each consecutive failure, from {@link #FIRST_COOLDOWN} to {@link #MAX_COOLDOWN}; a
 * 429 cools it down for its {@code Retry-After}; a success ends the cooldown.
 *
 * <p>The cap is short on purpose: a payment waits for at most about a second after a processor
 * recovers, which keeps the queue draining. Smarter routing (health, latency, fees) replaces this
 * class behind {@link Router}.
 */
public final class FailoverRouter implements Router {
    static final Duration FIRST_COOLDOWN = Duration.ofMillis(50);
    static final Duration MAX_COOLDOWN = Duration.ofMillis(1000);

    private final List<ProcessorClient> processors;
    private final Map<String, State> states = new LinkedHashMap<>();

    public FailoverRouter(List<ProcessorClient> processorsByPriority) {
        if (processorsByPriority.isEmpty()) {
            throw new IllegalArgumentException("at least one processor is needed");
        }
        this.processors = List.copyOf(processorsByPriority);
        for (ProcessorClient p : processors) {
            states.put(p.name(), new State());
        }
    }

    @Override
    public Route choose(Instant now) {
        Instant earliest = Instant.MAX;
        for (ProcessorClient p : processors) {
            Instant available = states.get(p.name()).availableAt();
            if (!available.isAfter(now)) {
                return new Route.Send(p);
            }
            earliest = available.isBefore(earliest) ? available : earliest;
        }
        return new Route.Wait(earliest);
    }

    @Override
    public Instant availableAt(String processor, Instant now) {
        return state(processor).availableAt();
    }

    @Override
    public void record(String processor, SendOutcome outcome, Instant now) {
        State state = state(processor);
        switch (outcome) {
            case SendOutcome.Processed p -> state.succeeded("Processed");
            case SendOutcome.AlreadyProcessed a -> state.succeeded("AlreadyProcessed");
            case SendOutcome.Rejected r -> state.succeeded("Rejected");
            case SendOutcome.RateLimited r -> state.coolDownUntil(now.plus(r.retryAfter()), "RateLimited");
            case SendOutcome.Failed f -> state.failed(now, "Failed");
            case SendOutcome.NotSent n -> state.failed(now, "NotSent");
            case SendOutcome.Unknown u -> state.failed(now, "Unknown");
        }
    }

    @Override
    public List<ProcessorStatus> status() {
        List<ProcessorStatus> result = new ArrayList<>();
        states.forEach((name, state) -> result.add(state.snapshot(name)));
        return result;
    }

    private State state(String processor) {
        State state = states.get(processor);
        if (state == null) {
            throw new IllegalArgumentException("unknown processor: " + processor);
        }
        return state;
    }

    /** One processor's cooldown; small and rarely contended, so a monitor is the simplest owner. */
    private static final class State {
        private Instant availableAt = Instant.MIN;
        private int consecutiveFailures;
        private String lastOutcome;

        synchronized Instant availableAt() {
            return availableAt;
        }

        synchronized void succeeded(String outcome) {
            consecutiveFailures = 0;
            availableAt = Instant.MIN;
            lastOutcome = outcome;
        }

        synchronized void failed(Instant now, String outcome) {
            consecutiveFailures++;
            long millis = FIRST_COOLDOWN.toMillis() << Math.min(consecutiveFailures - 1, 16);
            availableAt = now.plusMillis(Math.min(millis, MAX_COOLDOWN.toMillis()));
            lastOutcome = outcome;
        }

        synchronized void coolDownUntil(Instant until, String outcome) {
            availableAt = until.isAfter(availableAt) ? until : availableAt;
            lastOutcome = outcome;
        }

        synchronized ProcessorStatus snapshot(String name) {
            return new ProcessorStatus(name, availableAt, consecutiveFailures, lastOutcome);
        }
    }
}
