package dev.flowgate.routing;

import dev.flowgate.processor.ProcessorClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sends each payment where it costs least: {@code fee + latencyCostPerSecond * expected latency},
 * among the processors that may take a call now. A processor may not when its circuit breaker is
 * open (failures or slow calls over the last 20 calls, or its own health says it is failing), when
 * it answered 429 and its {@code Retry-After} has not passed, or when {@code maxInFlight} calls are
 * already out there. When none may, payments wait in the queue until the first one may again: the
 * breaker's probe time, the end of a {@code Retry-After}, or a health poll that shows recovery
 * (which wakes every waiting payment at once).
 *
 * <p>Health drives the breakers both ways, so they recover without payment traffic: a processor
 * reporting {@code failing} has its breaker opened, and an open breaker whose processor reports
 * healthy goes half-open, letting a few payments through as probes.
 */
public final class CostRouter implements Router {
    /** A candidate processor and its fee, or null if its fee is not known. */
    public record Candidate(ProcessorClient client, BigDecimal fee) {
    }

    /**
     * How much faster a processor must be to take payments from one of equal fee configured before
     * it: the order given is the order of preference, and a latency difference smaller than this
     * (jitter, one slow call) does not move payments.
     */
    static final Duration PREFERENCE_MARGIN = Duration.ofMillis(250);

    /** How soon to ask again when a processor is only briefly unavailable (in-flight full, probes out). */
    private static final Duration SHORT_WAIT = Duration.ofMillis(20);

    private final Map<String, ProcessorLane> lanes = new LinkedHashMap<>();
    private final RoutingPolicy policy;
    private final HealthBoard board;
    private final Clock clock;
    private final Runnable wakeWaiting;

    /**
     * @param wakeWaiting called when a processor becomes usable again, so waiting payments are taken
     *                    up at once instead of at their scheduled time
     */
    public CostRouter(List<Candidate> candidates, RoutingPolicy policy, Clock clock, Runnable wakeWaiting) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("at least one processor is needed");
        }
        this.policy = policy;
        this.clock = clock;
        this.wakeWaiting = wakeWaiting;
        this.board = new HealthBoard(this::onHealth);
        List<BigDecimal> fees = effectiveFees(candidates);
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            int earlierAtTheSameFee = 0;
            for (int j = 0; j < i; j++) {
                earlierAtTheSameFee += fees.get(j).compareTo(fees.get(i)) == 0 ? 1 : 0;
            }
            ProcessorLane lane = new ProcessorLane(c.client(), fees.get(i),
                    PREFERENCE_MARGIN.multipliedBy(earlierAtTheSameFee), policy, clock);
            lane.breaker.getEventPublisher().onStateTransition(event -> {
                // Half-open on its own (after the open duration) lets three probes through; waking
                // every waiting payment for that would only spin the queue. Closed means capacity.
                if (event.getStateTransition().getToState() == CircuitBreaker.State.CLOSED) {
                    wakeWaiting.run();
                }
            });
            lanes.put(c.client().name(), lane);
        }
    }

    /**
     * A processor without a known fee counts as the dearest known one (0 if none is known): never
     * as free, which would send it every payment ahead of processors whose fee is given.
     */
    private static List<BigDecimal> effectiveFees(List<Candidate> candidates) {
        BigDecimal dearest = candidates.stream().map(Candidate::fee).filter(java.util.Objects::nonNull)
                .max(Comparator.naturalOrder()).orElse(BigDecimal.ZERO);
        return candidates.stream().map(c -> c.fee() == null ? dearest : c.fee()).toList();
    }

    /** Where the deployment's health poller publishes. */
    public HealthBoard healthBoard() {
        return board;
    }

    @Override
    public Route choose(Instant now, String except) {
        List<ProcessorLane> open = new ArrayList<>(lanes.size());
        Instant earliest = now.plus(policy.healthInterval());
        List<String> reasons = new ArrayList<>(lanes.size());
        for (ProcessorLane lane : lanes.values()) {
            Instant blocked = lane.blockedUntil(now);
            if (lane.name().equals(except)) {
                continue;
            }
            if (blocked.isAfter(now)) {
                earliest = blocked.isBefore(earliest) ? blocked : earliest;
                reasons.add(lane.blockedReason(now));
            } else {
                open.add(lane);
            }
        }
        open.sort(Comparator.comparingDouble(this::cost));
        boolean brief = false;
        for (ProcessorLane lane : open) {
            ProcessorLane.Admission admission = lane.tryAcquire();
            if (admission == ProcessorLane.Admission.RESERVED) {
                return new Route.Send(lane.reservation());
            }
            brief |= admission == ProcessorLane.Admission.IN_FLIGHT_FULL;
            reasons.add(refusal(lane, admission));
            Instant retry = retryAfterRefusal(admission, now);
            earliest = retry.isBefore(earliest) ? retry : earliest;
        }
        return new Route.Wait(earliest, brief, "no processor can take a call: " + String.join(", ", reasons));
    }

    @Override
    public Route reserve(String processor, Instant now) {
        ProcessorLane lane = lane(processor);
        Instant blocked = lane.blockedUntil(now);
        if (blocked.isAfter(now)) {
            return new Route.Wait(blocked, false, "waiting for " + lane.blockedReason(now));
        }
        ProcessorLane.Admission admission = lane.tryAcquire();
        return admission == ProcessorLane.Admission.RESERVED
                ? new Route.Send(lane.reservation())
                : new Route.Wait(retryAfterRefusal(admission, now),
                        admission == ProcessorLane.Admission.IN_FLIGHT_FULL, "waiting for " + refusal(lane, admission));
    }

    @Override
    public boolean configured(String processor) {
        return lanes.containsKey(processor);
    }

    private static String refusal(ProcessorLane lane, ProcessorLane.Admission admission) {
        return admission == ProcessorLane.Admission.IN_FLIGHT_FULL
                ? lane.name() + " has its calls in flight at their limit"
                : lane.name() + " breaker half-open, its probes are out";
    }

    @Override
    public List<ProcessorStatus> status() {
        return lanes.values().stream().map(lane -> lane.status(freshHealth(lane.name()))).toList();
    }

    /**
     * A full in-flight limit frees up as calls return (soon); a half-open breaker whose probes are
     * out decides when they return, which can take the processor's whole delay, and its closing
     * wakes every waiting payment anyway: polling it often would only spin the queue.
     */
    private Instant retryAfterRefusal(ProcessorLane.Admission admission, Instant now) {
        return now.plus(admission == ProcessorLane.Admission.IN_FLIGHT_FULL ? SHORT_WAIT : policy.openDuration());
    }

    private double cost(ProcessorLane lane) {
        double latencySeconds = lane.expectedLatency(freshHealth(lane.name())).plus(lane.preferencePenalty).toNanos() / 1e9;
        return lane.fee + policy.latencyCostPerSecond() * latencySeconds;
    }

    /** Health no older than two poll intervals; older says nothing about now. */
    private Optional<HealthBoard.Health> freshHealth(String processor) {
        Instant horizon = clock.instant().minus(policy.healthInterval().multipliedBy(2));
        return board.latest(processor).filter(h -> h.observedAt().isAfter(horizon));
    }

    private void onHealth(String processor, HealthBoard.Health health) {
        ProcessorLane lane = lanes.get(processor);
        if (lane == null) {
            return;
        }
        CircuitBreaker.State state = lane.breaker.getState();
        if (health.failing() && state != CircuitBreaker.State.OPEN) {
            lane.breaker.transitionToOpenState();
        } else if (!health.failing() && state == CircuitBreaker.State.OPEN) {
            lane.breaker.transitionToHalfOpenState();
            wakeWaiting.run();
        }
    }

    private ProcessorLane lane(String processor) {
        ProcessorLane lane = lanes.get(processor);
        if (lane == null) {
            throw new IllegalArgumentException("unknown processor: " + processor);
        }
        return lane;
    }
}
