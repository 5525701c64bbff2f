package dev.flowgate.settlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.metrics.Metrics;
import dev.flowgate.payment.AcceptResult;
import dev.flowgate.payment.Payment;
import dev.flowgate.payment.PaymentRecord;
import dev.flowgate.payment.PaymentState;
import dev.flowgate.processor.HealthOutcome;
import dev.flowgate.processor.LookupOutcome;
import dev.flowgate.processor.ProcessorClient;
import dev.flowgate.processor.SendOutcome;
import dev.flowgate.routing.CostRouter;
import dev.flowgate.routing.MutableClock;
import dev.flowgate.routing.ProcessorStatus;
import dev.flowgate.routing.Reservation;
import dev.flowgate.routing.Route;
import dev.flowgate.routing.Router;
import dev.flowgate.routing.RoutingPolicy;
import dev.flowgate.store.Journal;
import dev.flowgate.store.StoreException;
import dev.flowgate.work.Backoff;
import dev.flowgate.work.Disposition;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The settlement rules, with processors, journal and router that misbehave on cue. */
class SettlementTest {
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(2));
    private static final Instant NOW = Instant.parse("2025-07-15T12:00:00Z");
    private final MutableClock clock = new MutableClock();
    private final Payment payment = new Payment(UUID.randomUUID(), 2005);

    /** Where a step may be made to throw. */
    enum Step { NONE, CHOOSE, ATTEMPT_STARTED, SEND, RECORD, PROCESSED, ATTEMPT_ENDED }

    /** A processor answering what the test says, counting its calls. */
    private static final class Scripted implements ProcessorClient {
        final String name;
        volatile SendOutcome send = new SendOutcome.Processed();
        volatile LookupOutcome lookup = new LookupOutcome.NotFound();
        volatile boolean throwOnSend;
        final AtomicInteger sends = new AtomicInteger();

        Scripted(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public SendOutcome send(Payment payment, Instant requestedAt) {
            sends.incrementAndGet();
            if (throwOnSend) {
                throw new IllegalStateException("injected in send");
            }
            return send;
        }

        @Override
        public LookupOutcome lookup(UUID correlationId) {
            return lookup;
        }

        @Override
        public HealthOutcome health(Duration timeout) {
            return new HealthOutcome.Unknown("not polled here");
        }
    }

    /** A journal that remembers what it was told and throws at the step the test names. */
    private static final class RecordingJournal implements Journal {
        volatile Step throwAt = Step.NONE;
        final List<String> lastErrors = new ArrayList<>();
        String failedReason;
        Instant processedAt;

        @Override
        public AcceptResult append(Payment payment) {
            return new AcceptResult.Accepted();
        }

        @Override
        public List<PaymentRecord> unfinished() {
            return List.of();
        }

        @Override
        public boolean attemptStarted(UUID correlationId, String processor, Instant requestedAt) {
            maybeThrow(Step.ATTEMPT_STARTED);
            return true;
        }

        @Override
        public void processed(UUID correlationId, String processor, Instant requestedAt) {
            maybeThrow(Step.PROCESSED);
            processedAt = requestedAt;
        }

        @Override
        public void attemptEnded(UUID correlationId, String pinnedProcessor, String error) {
            maybeThrow(Step.ATTEMPT_ENDED);
            lastErrors.add(error);
        }

        @Override
        public void failed(UUID correlationId, String reason) {
            failedReason = reason;
        }

        @Override
        public Optional<PaymentRecord> find(UUID correlationId) {
            return Optional.empty();
        }

        @Override
        public List<PaymentRecord> list(PaymentState state, UUID after, int limit) {
            return List.of();
        }

        @Override
        public Optional<PaymentRecord> requeueFailed(UUID correlationId) {
            return Optional.empty();
        }

        @Override
        public void purge() {
        }

        @Override
        public void close() {
        }

        private void maybeThrow(Step step) {
            if (throwAt == step) {
                throw new StoreException("injected at " + step, null);
            }
        }
    }

    /** A router around the real one that throws at the step the test names. */
    private record ThrowingRouter(Router inner, Step throwAt) implements Router {
        @Override
        public Route choose(Instant now, String except) {
            if (throwAt == Step.CHOOSE) {
                throw new IllegalStateException("injected in choose");
            }
            return throwingOnRecord(inner.choose(now, except));
        }

        @Override
        public Route reserve(String processor, Instant now) {
            return throwingOnRecord(inner.reserve(processor, now));
        }

        @Override
        public boolean configured(String processor) {
            return inner.configured(processor);
        }

        @Override
        public List<ProcessorStatus> status() {
            return inner.status();
        }

        /** The router's bookkeeping throwing as the outcome is recorded, after the lane has learnt it. */
        private Route throwingOnRecord(Route route) {
            if (throwAt != Step.RECORD || !(route instanceof Route.Send send)) {
                return route;
            }
            Reservation real = send.reservation();
            return new Route.Send(new Reservation(real.client(), new Reservation.Ending() {
                @Override
                public void outcome(SendOutcome outcome, Duration took, Instant now) {
                    real.record(outcome, took, now);
                    throw new IllegalStateException("injected in record");
                }

                @Override
                public void release() {
                    real.close();
                }
            }));
        }
    }

    private final Scripted processor = new Scripted("default");
    private final RecordingJournal journal = new RecordingJournal();

    private Settlement settlement(Step throwAt) {
        journal.throwAt = throwAt;
        processor.throwOnSend = throwAt == Step.SEND;
        CostRouter router = new CostRouter(List.of(new CostRouter.Candidate(processor, new BigDecimal("0.07"))),
                RoutingPolicy.defaults(), clock, () -> { });
        return new Settlement(journal, new ThrowingRouter(router, throwAt), BACKOFF, clock, RandomGenerator.getDefault(),
                Metrics.NONE, PaymentOutcomes.NONE);
    }

    private Settlement settlement() {
        return settlement(Step.NONE);
    }

    private static Disposition.Retry<PaymentTask> retry(Disposition<PaymentTask> disposition) {
        assertThat(disposition).isInstanceOf(Disposition.Retry.class);
        return (Disposition.Retry<PaymentTask>) disposition;
    }

    @Test
    void whateverThrowsAfterTheRequestLeftKeepsThePaymentPinnedWhereItWent() {
        for (Step step : List.of(Step.SEND, Step.RECORD, Step.PROCESSED)) {
            Disposition<PaymentTask> next = settlement(step).handle(PaymentTask.fresh(payment));
            assertThat(retry(next).next().pinnedProcessor()).as("a throw in %s", step).isEqualTo("default");
        }
        processor.send = new SendOutcome.Unknown("timeout");
        Disposition<PaymentTask> next = settlement(Step.ATTEMPT_ENDED).handle(PaymentTask.fresh(payment));
        assertThat(retry(next).next().pinnedProcessor()).as("a throw journaling an unknown outcome").isEqualTo("default");
    }

    @Test
    void whateverThrowsBeforeTheRequestLeftPinsNothingAndSendsNothing() {
        for (Step step : List.of(Step.CHOOSE, Step.ATTEMPT_STARTED)) {
            // The worker then retries the task as it was: unpinned.
            assertThatThrownBy(() -> settlement(step).handle(PaymentTask.fresh(payment))).as("a throw in %s", step)
                    .isInstanceOf(RuntimeException.class);
        }
        assertThat(processor.sends).hasValue(0);
    }

    @Test
    void aThrowBeforeSendingGivesTheReservationBack() {
        Settlement settlement = settlement(Step.ATTEMPT_STARTED);
        for (int i = 0; i < 2_000; i++) { // more than the in-flight limit: a leak would fill it
            assertThatThrownBy(() -> settlement.handle(PaymentTask.fresh(payment))).isInstanceOf(StoreException.class);
        }
        journal.throwAt = Step.NONE;
        assertThat(settlement.handle(PaymentTask.fresh(payment))).isInstanceOf(Disposition.Done.class);
        assertThat(journal.processedAt).isNotNull();
    }

    @Test
    void processorFaultsNeverFailAPaymentHoweverManyTimesTheyRepeat() {
        Settlement settlement = settlement();
        for (SendOutcome fault : List.of(new SendOutcome.Failed(404, "default answered 404 and stored nothing"),
                new SendOutcome.Failed(500, "default answered 500 and stored nothing"),
                new SendOutcome.NotSent("default: connection refused"))) {
            processor.send = fault;
            PaymentTask task = PaymentTask.fresh(payment);
            for (int i = 0; i < 2_000; i++) {
                // Time moves to each retry, so the breaker half-opens and its probes fail again and again.
                Disposition.Retry<PaymentTask> next = retry(settlement.handle(task));
                clock.advance(Duration.between(clock.instant(), next.at()));
                task = next.next();
            }
            assertThat(journal.failedReason).as("after 2,000 rounds of %s", fault).isNull();
            assertThat(task.pinnedProcessor()).isNull();
        }
    }

    @Test
    void aFaultSaysWhyInLastError() {
        processor.send = new SendOutcome.Failed(401, "default answered 401 and stored nothing");
        settlement().handle(PaymentTask.fresh(payment));
        assertThat(journal.lastErrors).isNotEmpty().containsOnly("default answered 401 and stored nothing");
    }

    @Test
    void aFaultSendsThePaymentToAnotherProcessorAtOnce() {
        Scripted fallback = new Scripted("fallback");
        processor.send = new SendOutcome.Failed(500, "default answered 500 and stored nothing");
        CostRouter router = new CostRouter(List.of(new CostRouter.Candidate(processor, new BigDecimal("0.07")),
                new CostRouter.Candidate(fallback, new BigDecimal("0.10"))), RoutingPolicy.defaults(), clock, () -> { });
        for (int i = 0; i < 20; i++) {
            Settlement settlement = new Settlement(journal, router, BACKOFF, clock, RandomGenerator.getDefault(), Metrics.NONE, PaymentOutcomes.NONE);
            assertThat(settlement.handle(PaymentTask.fresh(new Payment(UUID.randomUUID(), 100))))
                    .isInstanceOf(Disposition.Done.class);
        }
        assertThat(fallback.sends).as("every payment settled on fallback in the step default failed").hasValue(20);
    }

    @Test
    void retriesBackOffToTheCapAndNoFurther() {
        processor.send = new SendOutcome.Failed(501, "default answered 501 and stored nothing");
        Settlement settlement = settlement();
        PaymentTask task = PaymentTask.fresh(payment);
        Duration longest = Duration.ZERO;
        Duration last = Duration.ZERO;
        for (int i = 0; i < 40; i++) {
            Disposition.Retry<PaymentTask> next = retry(settlement.handle(task));
            last = Duration.between(clock.instant(), next.at());
            longest = last.compareTo(longest) > 0 ? last : longest;
            clock.advance(last);
            task = next.next();
        }
        assertThat(longest).isLessThanOrEqualTo(BACKOFF.cap());
        assertThat(last).as("after 40 setbacks, at least half the cap").isGreaterThanOrEqualTo(BACKOFF.cap().dividedBy(2));
    }

    @Test
    void anUnchangedReasonToWaitIsJournaledOnce() {
        processor.send = new SendOutcome.Failed(500, "default answered 500 and stored nothing");
        Settlement settlement = settlement();
        PaymentTask task = PaymentTask.fresh(payment);
        for (int i = 0; i < 50; i++) {
            task = retry(settlement.handle(task)).next(); // the breaker opens after 5 calls: waits from then on
        }
        long waits = journal.lastErrors.stream().filter(e -> e.startsWith("no processor can take a call")).count();
        assertThat(waits).isEqualTo(1);
        assertThat(journal.lastErrors.getLast()).isEqualTo("no processor can take a call: default breaker open");
    }

    @Test
    void aLookupWithoutAnAnswerSaysWhyAndKeepsThePin() {
        processor.lookup = new LookupOutcome.Unavailable("default answered 503");
        PaymentTask next = retry(settlement().handle(PaymentTask.resumed(payment, "default"))).next();
        assertThat(next.pinnedProcessor()).isEqualTo("default");
        assertThat(journal.lastErrors).containsExactly("cannot reconcile the last attempt: default answered 503");
        assertThat(processor.sends).hasValue(0);
    }

    @Test
    void aDuplicateConfirmedByALookupSettlesWithTheProcessorsRequestedAt() {
        Instant earlier = NOW.minusSeconds(30);
        processor.send = new SendOutcome.AlreadyProcessed();
        Settlement settlement = settlement();
        PaymentTask next = retry(settlement.handle(PaymentTask.fresh(payment))).next();
        assertThat(next.pinnedProcessor()).isEqualTo("default");
        processor.lookup = new LookupOutcome.Found(earlier);
        assertThat(settlement.handle(next)).isInstanceOf(Disposition.Done.class);
        assertThat(journal.processedAt).isEqualTo(earlier);
    }

    @Test
    void aDuplicateThatNoLookupFindsFailsAfterBoundedRoundsWithItsReason() {
        processor.send = new SendOutcome.AlreadyProcessed();
        processor.lookup = new LookupOutcome.NotFound();
        Settlement settlement = settlement();
        Disposition<PaymentTask> step = settlement.handle(PaymentTask.fresh(payment));
        int rounds = 0;
        while (step instanceof Disposition.Retry<PaymentTask> retry && rounds < 100) {
            step = settlement.handle(retry.next());
            rounds++;
        }
        assertThat(step).isInstanceOf(Disposition.Done.class);
        assertThat(processor.sends).hasValue(Settlement.UNCONFIRMED_DUPLICATE_ROUNDS);
        assertThat(journal.failedReason).contains("answered 422").contains("found nothing").contains("/retry");
    }

    @Test
    void aPaymentPinnedToAProcessorNoLongerConfiguredFailsWithItsReason() {
        assertThat(settlement().handle(PaymentTask.resumed(payment, "gone"))).isInstanceOf(Disposition.Done.class);
        assertThat(journal.failedReason).contains("'gone'").contains("no longer configured");
    }
}
