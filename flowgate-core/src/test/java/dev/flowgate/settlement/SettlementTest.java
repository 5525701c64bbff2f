package dev.flowgate.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.intake.AcceptResult;
import dev.flowgate.intake.Payment;
import dev.flowgate.processor.HealthOutcome;
import dev.flowgate.processor.LookupOutcome;
import dev.flowgate.processor.ProcessorClient;
import dev.flowgate.processor.SendOutcome;
import dev.flowgate.routing.CostRouter;
import dev.flowgate.routing.RoutingPolicy;
import dev.flowgate.store.Journal;
import dev.flowgate.store.PaymentRecord;
import dev.flowgate.store.StoreException;
import dev.flowgate.work.Backoff;
import dev.flowgate.work.Disposition;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The settlement rules where a real processor or store cannot easily be made to misbehave. */
class SettlementTest {
    /** A processor whose every call gives the same answers. */
    private record Scripted(String name, SendOutcome send, LookupOutcome lookup) implements ProcessorClient {
        @Override
        public SendOutcome send(Payment payment, Instant requestedAt) {
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

    /** A journal that accepts the attempt, then fails every write about its outcome. */
    private static final class FailingAfterSendJournal implements Journal {
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
            return true;
        }

        @Override
        public void processed(UUID correlationId, String processor, Instant requestedAt) {
            throw new StoreException("disk full", null);
        }

        @Override
        public void attemptEnded(UUID correlationId, String pinnedProcessor, String error) {
            throw new StoreException("disk full", null);
        }

        @Override
        public void failed(UUID correlationId, String reason) {
            throw new StoreException("disk full", null);
        }

        @Override
        public Optional<PaymentRecord> find(UUID correlationId) {
            return Optional.empty();
        }

        @Override
        public void purge() {
        }

        @Override
        public void close() {
        }
    }

    private static Disposition<PaymentTask> settleOnce(PaymentTask task, SendOutcome outcome) {
        Scripted processor = new Scripted("default", outcome, new LookupOutcome.NotFound());
        CostRouter router = new CostRouter(List.of(new CostRouter.Candidate(processor, new BigDecimal("0.07"))),
                RoutingPolicy.defaults(), Clock.systemUTC(), () -> { });
        Settlement settlement = new Settlement(new FailingAfterSendJournal(), router, Map.of("default", processor),
                new Backoff(Duration.ofMillis(50), Duration.ofSeconds(2)), 1000, Clock.systemUTC(),
                RandomGenerator.getDefault());
        return settlement.handle(task);
    }

    @Test
    void aPaymentWhoseOutcomeCannotBeJournaledStaysPinnedWhereItWasSent() {
        for (SendOutcome outcome : List.of(new SendOutcome.Processed(), new SendOutcome.Unknown("timeout"))) {
            Disposition<PaymentTask> next = settleOnce(PaymentTask.fresh(new Payment(UUID.randomUUID(), 100)), outcome);
            assertThat(next).isInstanceOf(Disposition.Retry.class);
            assertThat(((Disposition.Retry<PaymentTask>) next).next().pinnedProcessor()).as(outcome.toString())
                    .isEqualTo("default");
        }
    }
}
