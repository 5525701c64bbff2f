package dev.flowgate.intake;

import dev.flowgate.metrics.Metrics;
import dev.flowgate.payment.AcceptResult;
import dev.flowgate.payment.Payment;
import dev.flowgate.store.Journal;
import java.util.function.Consumer;

/**
 * The request path: journal the payment, then hand it to processing. Nothing here calls a
 * processor, so intake answers in the time of one group commit whatever the processors do.
 */
public final class Intake {
    private final Journal journal;
    private final Consumer<Payment> onAccepted;
    private final Metrics metrics;

    public Intake(Journal journal, Consumer<Payment> onAccepted, Metrics metrics) {
        this.journal = journal;
        this.onAccepted = onAccepted;
        this.metrics = metrics;
    }

    /** Blocks until the payment is durable in the journal; a crash after that loses nothing. */
    public AcceptResult accept(Payment payment) {
        long started = System.nanoTime();
        AcceptResult result = journal.append(payment);
        if (result instanceof AcceptResult.Accepted) {
            onAccepted.accept(payment);
        }
        metrics.intake(switch (result) {
            case AcceptResult.Accepted a -> "accepted";
            case AcceptResult.AlreadyAccepted a -> "duplicate";
            case AcceptResult.Conflict c -> "conflict";
        }, System.nanoTime() - started);
        return result;
    }
}
