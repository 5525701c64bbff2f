package dev.flowgate.testkit.processor;

import dev.flowgate.testkit.processor.ProcessorEmulator.StoredPayment;
import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The payments a processor has accepted, keyed by correlation id. Summaries scan every payment:
 * the contest asks for one every few seconds over at most ~100k payments, so an index would buy
 * nothing. Thread-safe.
 */
final class PaymentBook {
    private final ConcurrentHashMap<UUID, StoredPayment> payments = new ConcurrentHashMap<>();
    private final BigDecimal fee;

    PaymentBook(BigDecimal fee) {
        this.fee = fee;
    }

    /**
     * Stores the payment unless its correlation id is already known; one atomic step, so of two
     * concurrent posts with the same id exactly one wins (the other gets 422, as on the processor).
     */
    boolean store(StoredPayment payment) {
        return payments.putIfAbsent(payment.correlationId(), payment) == null;
    }

    Optional<StoredPayment> find(UUID correlationId) {
        return Optional.ofNullable(payments.get(correlationId));
    }

    int size() {
        return payments.size();
    }

    /** Every payment, oldest {@code requestedAt} first (ties by id, so the order is stable). */
    List<StoredPayment> snapshot() {
        return payments.values().stream()
                .sorted(Comparator.comparing(StoredPayment::requestedAt).thenComparing(StoredPayment::correlationId))
                .toList();
    }

    void purge() {
        payments.clear();
    }

    /**
     * Totals over the payments whose {@code requestedAt} lies in {@code [from, to]}; a null bound
     * leaves that side open. The fee is charged on the total, as the processor does, and not
     * rounded: {@code 20.05 x 0.05 = 1.0025}.
     */
    Summary summarize(Instant from, Instant to) {
        long count = 0;
        BigDecimal total = BigDecimal.ZERO;
        for (StoredPayment payment : payments.values()) {
            Instant at = payment.requestedAt();
            if ((from == null || !at.isBefore(from)) && (to == null || !at.isAfter(to))) {
                count++;
                total = total.add(payment.amount());
            }
        }
        return new Summary(count, total, total.multiply(fee), fee);
    }
}
