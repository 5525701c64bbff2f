package dev.flowgate.settlement;

import dev.flowgate.processor.LookupOutcome;
import dev.flowgate.processor.ProcessorClient;
import dev.flowgate.processor.SendOutcome;
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
import java.util.Map;
import java.util.UUID;
import java.util.random.RandomGenerator;

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
 *   <li>Only a 200, or a 422 confirmed by a lookup on the same processor, enters the ledger, with
 *       the {@code requestedAt} the processor holds.</li>
 * </ul>
 */
public final class Settlement implements Handler<PaymentTask> {
    private final Journal journal;
    private final Router router;
    private final Map<String, ProcessorClient> processors;
    private final Backoff backoff;
    private final int maxAttempts;
    private final Clock clock;
    private final RandomGenerator random;

    public Settlement(Journal journal, Router router, Map<String, ProcessorClient> processors,
                      Backoff backoff, int maxAttempts, Clock clock, RandomGenerator random) {
        this.journal = journal;
        this.router = router;
        this.processors = Map.copyOf(processors);
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
        this.clock = clock;
        this.random = random;
    }

    @Override
    public Disposition<PaymentTask> handle(PaymentTask task) {
        Instant now = clock.instant();
        if (task.pinnedProcessor() != null) {
            return reconcileThenSend(task, now);
        }
        return switch (router.choose(now)) {
            case Route.Send send -> send(task, send.processor());
            case Route.Wait wait -> retryAt(task, wait.until());
        };
    }

    private Disposition<PaymentTask> reconcileThenSend(PaymentTask task, Instant now) {
        ProcessorClient processor = processors.get(task.pinnedProcessor());
        if (processor == null) {
            // Pinned to a processor no longer configured: only a person can tell where it went.
            journal.failed(id(task), "pinned to processor '" + task.pinnedProcessor()
                    + "' with an unknown outcome, and that processor is no longer configured");
            return done();
        }
        if (router.reserve(processor.name(), now) instanceof Route.Wait wait) {
            return retryAt(task, wait.until());
        }
        LookupOutcome lookup;
        try {
            lookup = processor.lookup(id(task));
        } catch (RuntimeException e) {
            lookup = new LookupOutcome.Unavailable(processor.name() + " client failed: " + e);
        }
        return switch (lookup) {
            case LookupOutcome.NotFound notFound -> send(task, processor); // keeps the reservation
            case LookupOutcome.Found found -> {
                router.release(processor.name());
                yield settled(task, processor, found.requestedAt());
            }
            case LookupOutcome.Unavailable unavailable -> {
                router.release(processor.name());
                yield retryAt(task, backoffFrom(clock.instant(), task.attempts() + 1));
            }
        };
    }

    /** Sends on a reservation the router gave; recording the outcome ends it. */
    private Disposition<PaymentTask> send(PaymentTask task, ProcessorClient processor) {
        Instant requestedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        boolean journaled;
        try {
            journaled = journal.attemptStarted(id(task), processor.name(), requestedAt);
        } catch (RuntimeException e) {
            router.release(processor.name()); // the worker retries the task; the place must not leak
            throw e;
        }
        if (!journaled) {
            router.release(processor.name());
            return done(); // purged or settled meanwhile: nothing left to send
        }
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
        router.record(processor.name(), outcome, took, now);
        try {
            return afterSend(task, processor, requestedAt, outcome, now);
        } catch (RuntimeException e) {
            // The request left and its outcome is not journaled: whatever it was, the payment may be
            // stored there now, so it stays pinned there; the next step looks it up first.
            return retryAt(task.after(processor.name()), backoffFrom(now, task.attempts() + 1));
        }
    }

    private Disposition<PaymentTask> afterSend(PaymentTask task, ProcessorClient processor, Instant requestedAt,
                                               SendOutcome outcome, Instant now) {
        return switch (outcome) {
            case SendOutcome.Processed p -> settled(task, processor, requestedAt);
            case SendOutcome.AlreadyProcessed a -> {
                // Settled there by an earlier attempt whose requestedAt we must learn: look it up.
                journal.attemptEnded(id(task), processor.name(), "already processed by " + processor.name());
                yield retryAt(task.after(processor.name()), backoffFrom(now, task.attempts() + 1));
            }
            case SendOutcome.Rejected r when task.pinnedProcessor() != null -> {
                // An earlier attempt may still be stored there: look it up again rather than give up.
                journal.attemptEnded(id(task), processor.name(), r.reason());
                yield retryAt(task.after(processor.name()), backoffFrom(now, task.attempts() + 1));
            }
            case SendOutcome.Rejected r -> {
                journal.failed(id(task), r.reason());
                yield done();
            }
            case SendOutcome.Unknown u -> {
                journal.attemptEnded(id(task), processor.name(), u.reason());
                yield retryAt(task.after(processor.name()), backoffFrom(now, task.attempts() + 1));
            }
            case SendOutcome.NotSent n -> notSettled(task, n.reason(), now);
            case SendOutcome.Failed f -> notSettled(task, f.reason(), now);
            case SendOutcome.RateLimited r -> notSettled(task, processor.name() + " rate-limited the call", now);
        };
    }

    /** The processor certainly did not store this attempt; an earlier unknown one keeps the pin. */
    private Disposition<PaymentTask> notSettled(PaymentTask task, String reason, Instant now) {
        PaymentTask next = task.after(task.pinnedProcessor());
        if (next.pinnedProcessor() == null && next.attempts() >= maxAttempts) {
            journal.failed(id(task), "gave up after " + next.attempts() + " attempts; last: " + reason);
            return done();
        }
        journal.attemptEnded(id(task), next.pinnedProcessor(), reason);
        // Unpinned, the router sends it to the next available processor at once; pinned, it waits.
        Instant at = next.pinnedProcessor() == null ? now : backoffFrom(now, next.attempts());
        return retryAt(next, at);
    }

    private Disposition<PaymentTask> settled(PaymentTask task, ProcessorClient processor, Instant requestedAt) {
        journal.processed(id(task), processor.name(), requestedAt);
        return done();
    }

    private Instant backoffFrom(Instant now, int attempt) {
        return now.plus(backoff.delay(attempt, random));
    }

    private static UUID id(PaymentTask task) {
        return task.payment().correlationId();
    }

    private static Disposition<PaymentTask> done() {
        return new Disposition.Done<>();
    }

    private static Disposition<PaymentTask> retryAt(PaymentTask task, Instant at) {
        return new Disposition.Retry<>(task, at);
    }
}
