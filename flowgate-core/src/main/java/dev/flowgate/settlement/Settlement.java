package dev.flowgate.settlement;

import dev.flowgate.metrics.Metrics;
import dev.flowgate.processor.LookupOutcome;
import dev.flowgate.processor.ProcessorClient;
import dev.flowgate.processor.SendOutcome;
import dev.flowgate.routing.Reservation;
import dev.flowgate.routing.Route;
import dev.flowgate.routing.Router;
import dev.flowgate.store.Journal;
import dev.flowgate.work.Backoff;
import dev.flowgate.work.Disposition;
import dev.flowgate.work.Handler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a payment one step towards settlement: reconcile or send, then record the outcome.
 *
 * <p>The rules that keep every payment paid exactly once:
 * <ul>
 *   <li>The attempt (processor, {@code requestedAt}) is journaled before the request leaves, so a
 *       crash mid-call is reconciled on that processor after restart.</li>
 *   <li>A payment whose outcome on a processor is unknown is pinned there: it is looked up there
 *       before any new send, and only ever sent there again. A processor's 422 on a duplicate
 *       makes a repeated send safe; sending it elsewhere could pay it twice, because a processor
 *       stores a request that the client already gave up on once its delay has passed.</li>
 *   <li>Once a request may have left, whatever throws (the client, the router's bookkeeping, the
 *       journal) leaves the payment pinned where it went.</li>
 *   <li>Only a 200, or a 422 confirmed by a lookup on the same processor, enters the ledger, with
 *       the {@code requestedAt} the processor holds.</li>
 * </ul>
 *
 * <p>And the rules that keep it from failing: no processor fault (refused connection, timeout, 5xx,
 * an unexpected 4xx) and no number of attempts ends a payment. It waits, backing off up to the
 * backoff's cap, so a long outage costs about one attempt per payment per cap; the reason is its
 * {@code lastError} and, rate-limited, a log line. A payment fails only when retrying cannot help:
 * its processor contradicts itself ({@link #UNCONFIRMED_DUPLICATE_ROUNDS} times a 422 whose lookup
 * finds nothing), or it is pinned to a processor no longer configured.
 */
public final class Settlement implements Handler<PaymentTask> {
    /**
     * Rounds of "422, then the lookup finds nothing" before the payment fails. Spaced by the backoff
     * (25 ms up to 800 ms with the defaults), they outlast any window in which a processor could
     * have stored a payment and not yet show it.
     */
    static final int UNCONFIRMED_DUPLICATE_ROUNDS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(Settlement.class);

    private final Journal journal;
    private final Router router;
    private final Backoff backoff;
    private final Clock clock;
    private final RandomGenerator random;
    private final HeldBackLog heldBackLog;
    private final Metrics metrics;
    private final PaymentOutcomes outcomes;

    public Settlement(Journal journal, Router router, Backoff backoff, Clock clock, RandomGenerator random,
                      Metrics metrics, PaymentOutcomes outcomes) {
        this.journal = journal;
        this.outcomes = outcomes;
        this.router = router;
        this.backoff = backoff;
        this.clock = clock;
        this.random = random;
        this.heldBackLog = new HeldBackLog(clock);
        this.metrics = metrics;
    }

    @Override
    public Disposition<PaymentTask> handle(PaymentTask task) {
        Instant now = clock.instant();
        if (task.pinnedProcessor() != null) {
            return reconcileThenSend(task, now);
        }
        return switch (router.choose(now)) {
            case Route.Send send -> send(task, send.reservation(), true);
            case Route.Wait wait -> waitFor(task, wait, now);
        };
    }

    private Disposition<PaymentTask> reconcileThenSend(PaymentTask task, Instant now) {
        if (!router.configured(task.pinnedProcessor())) {
            // Pinned to a processor no longer configured: only a person can tell where it went.
            failed(task, "pinned to processor '" + task.pinnedProcessor()
                    + "' with an unknown outcome, and that processor is no longer configured");
            return done();
        }
        return switch (router.reserve(task.pinnedProcessor(), now)) {
            case Route.Send send -> reconcile(task, send.reservation());
            case Route.Wait wait -> waitFor(task, wait, now);
        };
    }

    /** Looks the payment up where it is pinned; sends it there again, on the same reservation, if it is not there. */
    private Disposition<PaymentTask> reconcile(PaymentTask task, Reservation reservation) {
        try (reservation) {
            ProcessorClient processor = reservation.client();
            LookupOutcome lookup;
            try {
                lookup = processor.lookup(id(task));
            } catch (RuntimeException e) {
                lookup = new LookupOutcome.Unavailable(processor.name() + " client failed: " + e);
            }
            return switch (lookup) {
                case LookupOutcome.NotFound notFound when task.unconfirmedDuplicates() >= UNCONFIRMED_DUPLICATE_ROUNDS -> {
                    failed(task, processor.name() + " answered 422 (it already has this payment) "
                            + task.unconfirmedDuplicates() + " times, and each lookup there found nothing: "
                            + "check it there, then POST /payments/" + id(task) + "/retry to send it again");
                    yield done();
                }
                case LookupOutcome.NotFound notFound -> send(task, reservation, false);
                case LookupOutcome.Found found -> settled(task, processor, found.requestedAt());
                case LookupOutcome.Unavailable unavailable ->
                        heldBack(task, "cannot reconcile the last attempt: " + unavailable.reason(), clock.instant());
            };
        }
    }

    /** Capacity waits are brief and retried as asked; anything else backs off. */
    private Disposition<PaymentTask> waitFor(PaymentTask task, Route.Wait wait, Instant now) {
        if (wait.brief()) {
            return retryAt(task, wait.until());
        }
        Disposition.Retry<PaymentTask> later = heldBack(task, wait.reason(), now);
        return later.at().isBefore(wait.until()) ? retryAt(later.next(), wait.until()) : later;
    }

    /**
     * Sends on a reservation the router gave. Recording the outcome ends it; any path that does not
     * (nothing to send, a throw before the request left) gives it back on the way out.
     */
    private Disposition<PaymentTask> send(PaymentTask task, Reservation reservation, boolean mayReroute) {
        try (reservation) {
            ProcessorClient processor = reservation.client();
            Instant requestedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            if (!journal.attemptStarted(id(task), processor.name(), requestedAt)) {
                return done(); // purged or settled meanwhile: nothing left to send
            }
            try {
                return sendJournaled(task, reservation, requestedAt, mayReroute);
            } catch (RuntimeException | Error e) {
                // The request may have left and its outcome is not journaled: whatever it was, the payment
                // may be stored there now, so it stays pinned there; the next step looks it up first.
                LOG.error("payment {}: failed after sending to {}; it stays pinned there", id(task), processor.name(), e);
                PaymentTask pinned = task.pinnedTo(processor.name()).setBack(task.reported());
                return retryAt(pinned, backoffFrom(clock.instant(), pinned.setbacks()));
            }
        }
    }

    private Disposition<PaymentTask> sendJournaled(PaymentTask task, Reservation reservation, Instant requestedAt,
                                                   boolean mayReroute) {
        ProcessorClient processor = reservation.client();
        long started = System.nanoTime();
        SendOutcome outcome;
        try {
            outcome = processor.send(task.payment(), requestedAt);
        } catch (RuntimeException e) {
            // The request may have left: the same rule as any failure after sending.
            outcome = new SendOutcome.Unknown(processor.name() + " client failed: " + e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        Instant now = clock.instant();
        reservation.record(outcome, took, now);
        String name = processor.name();
        metrics.attempt(name, outcomeName(outcome), took.toNanos());
        return switch (outcome) {
            case SendOutcome.Processed p -> settled(task, processor, requestedAt);
            case SendOutcome.AlreadyProcessed a -> {
                // Settled there by an earlier attempt whose requestedAt we must learn: look it up.
                String reason = name + " answered 422: it already has this payment; looking it up there";
                PaymentTask next = task.pinnedTo(name).duplicateAnswered(reason);
                journal.attemptEnded(id(task), name, reason);
                yield retryAt(next, backoffFrom(now, next.unconfirmedDuplicates()));
            }
            case SendOutcome.Unknown u -> {
                PaymentTask next = task.pinnedTo(name).setBack(u.reason());
                journal.attemptEnded(id(task), name, u.reason());
                heldBackLog.heldBack(id(task), u.reason());
                yield retryAt(next, backoffFrom(now, next.setbacks()));
            }
            case SendOutcome.NotSent n -> notStored(task, name, n.reason(), now, mayReroute);
            case SendOutcome.Failed f -> notStored(task, name, f.reason(), now, mayReroute);
            case SendOutcome.RateLimited r -> notStored(task, name, name + " rate-limited the call (429)", now, mayReroute);
        };
    }

    /**
     * The processor certainly did not store this attempt; an earlier unknown one keeps the pin.
     * Unpinned, the payment goes at once to another processor that may take a call
     * ({@code mayReroute}, once per step): a failing processor's breaker probe then costs it nothing
     * while another one is healthy. Otherwise it backs off.
     */
    private Disposition<PaymentTask> notStored(PaymentTask task, String failedAt, String reason, Instant now,
                                               boolean mayReroute) {
        PaymentTask next = task.setBack(reason);
        journal.attemptEnded(id(task), next.pinnedProcessor(), reason);
        heldBackLog.heldBack(id(task), reason);
        if (mayReroute && next.pinnedProcessor() == null
                && router.choose(now, failedAt) instanceof Route.Send send) {
            return send(next, send.reservation(), false);
        }
        return retryAt(next, backoffFrom(now, next.setbacks()));
    }

    /**
     * Nothing was sent and the payment waits: its reason is journaled when it changed, and logged,
     * rate-limited.
     */
    private Disposition.Retry<PaymentTask> heldBack(PaymentTask task, String reason, Instant now) {
        PaymentTask next = task.setBack(reason);
        if (!reason.equals(task.reported())) {
            journal.attemptEnded(id(task), task.pinnedProcessor(), reason);
        }
        heldBackLog.heldBack(id(task), reason);
        return retryAt(next, backoffFrom(now, next.setbacks()));
    }

    private Disposition<PaymentTask> settled(PaymentTask task, ProcessorClient processor, Instant requestedAt) {
        outcomes.processed(task.payment(), processor.name(), requestedAt);
        journal.processed(id(task), processor.name(), requestedAt);
        return done();
    }

    private void failed(PaymentTask task, String reason) {
        outcomes.failed(task.payment(), reason);
        journal.failed(id(task), reason);
    }

    private Instant backoffFrom(Instant now, int attempt) {
        return now.plus(backoff.delay(attempt, random));
    }

    private static String outcomeName(SendOutcome outcome) {
        return switch (outcome) {
            case SendOutcome.Processed p -> "processed";
            case SendOutcome.AlreadyProcessed a -> "already_processed";
            case SendOutcome.Unknown u -> "unknown";
            case SendOutcome.NotSent n -> "not_sent";
            case SendOutcome.Failed f -> "failed";
            case SendOutcome.RateLimited r -> "rate_limited";
        };
    }

    private static UUID id(PaymentTask task) {
        return task.payment().correlationId();
    }

    private static Disposition<PaymentTask> done() {
        return new Disposition.Done<>();
    }

    private static Disposition.Retry<PaymentTask> retryAt(PaymentTask task, Instant at) {
        return new Disposition.Retry<>(task, at);
    }
}
