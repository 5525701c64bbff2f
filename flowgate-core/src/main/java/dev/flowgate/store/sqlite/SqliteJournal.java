package dev.flowgate.store.sqlite;

import dev.flowgate.payment.AcceptResult;
import dev.flowgate.payment.Payment;
import dev.flowgate.payment.PaymentRecord;
import dev.flowgate.payment.PaymentState;
import dev.flowgate.store.Journal;
import dev.flowgate.store.StoreException;
import dev.flowgate.store.sqlite.GroupCommitter.Urgency;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payment journal on SQLite. A new payment is made durable in the {@link IntakeLog} first,
 * which is what the request waits for; its row follows in the writer's next commit. Until then the
 * payment is one of {@link #accepting}, so a second request with its id sees it, and a restart
 * replays the log into the database before anything else reads it.
 */
final class SqliteJournal implements Journal {
    /** How long a failed insert of a journaled payment waits before it is tried again. */
    static final Duration ROW_RETRY = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(SqliteJournal.class);

    /**
     * A payment whose row is not yet committed: {@code amountCents} completes once it is durable
     * in the intake log (or turns out to be in the database already), with the amount that holds.
     */
    private record Accepting(long acceptedAtMillis, CompletableFuture<Long> amountCents) {
    }

    private final GroupCommitter committer;
    private final PaymentTable payments;
    private final IntakeLog intakeLog;
    private final Clock clock;
    private final ConcurrentHashMap<UUID, Accepting> accepting = new ConcurrentHashMap<>();
    /** Every id the database holds or is about to; a new id that it lacks needs no database read. */
    private final KnownIds knownIds;
    /** Appends share it; purge takes it alone, so no payment straddles the cut. */
    private final ReentrantReadWriteLock purgeLock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /**
     * Replays what the intake log holds into the table (one durable commit), then starts a new
     * log generation and fills {@code knownIds} (empty) from the table.
     */
    SqliteJournal(SqliteDatabase database, PaymentTable payments, IntakeLog intakeLog, KnownIds knownIds, Clock clock) {
        this.committer = database.committer();
        this.payments = payments;
        this.intakeLog = intakeLog;
        this.clock = clock;
        this.knownIds = knownIds;
        replay(intakeLog.recovered());
        intakeLog.startGeneration();
        payments.forEachId(knownIds::add);
    }

    private void replay(List<IntakeLog.Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        int added = committer.execute(Urgency.NOW, c -> {
            int inserted = 0;
            for (IntakeLog.Entry entry : entries) {
                inserted += insert(entry);
            }
            return inserted;
        });
        LOG.info("intake log: {} payments replayed, {} of them missing from the database", entries.size(), added);
    }

    private int insert(IntakeLog.Entry entry) throws SQLException {
        return payments.insert(entry.correlationId(), entry.amountCents(), entry.acceptedAtMillis());
    }

    @Override
    public AcceptResult append(Payment payment) {
        Accepting mine = new Accepting(clock.millis(), new CompletableFuture<>());
        Accepting earlier;
        purgeLock.readLock().lock();
        try {
            earlier = accepting.putIfAbsent(payment.correlationId(), mine);
            if (earlier == null) {
                return acceptNew(payment, mine);
            }
        } finally {
            purgeLock.readLock().unlock();
        }
        return answer(payment, durableAmount(earlier));
    }

    /** Journals a payment this request owns in {@link #accepting}; holds the purge lock's read side. */
    private AcceptResult acceptNew(Payment payment, Accepting mine) {
        UUID id = payment.correlationId();
        try {
            Optional<Long> stored = knownIds.mightContain(id) ? payments.amount(id) : Optional.empty();
            if (stored.isPresent()) {
                mine.amountCents().complete(stored.get());
                accepting.remove(id, mine);
                return answer(payment, stored.get());
            }
            IntakeLog.Entry entry = new IntakeLog.Entry(id, payment.amountCents(), mine.acceptedAtMillis());
            IntakeLog.Ticket ticket = intakeLog.append(entry);
            knownIds.add(id); // before its row can be in the database
            mine.amountCents().complete(payment.amountCents());
            writeRow(entry, ticket, mine);
            return new AcceptResult.Accepted();
        } catch (RuntimeException | Error e) {
            // An Error too: left incomplete, the pending answer would hang every later request with this id.
            mine.amountCents().completeExceptionally(e);
            accepting.remove(id, mine);
            throw e;
        }
    }

    /**
     * Inserts the row of a payment the intake log holds, in a coming commit; once it is durable the
     * log may forget the record. A failed insert (disk full, I/O error) is tried again every
     * {@link #ROW_RETRY} until it succeeds or the journal closes: meanwhile the payment stays in
     * {@link #accepting}, where {@link #attemptStarted} finds it, and in the log, which the next start
     * replays. A purge drops it from {@code accepting}, and the next try then writes nothing.
     */
    private void writeRow(IntakeLog.Entry entry, IntakeLog.Ticket ticket, Accepting mine) {
        UUID id = entry.correlationId();
        CompletableFuture<Integer> written;
        try {
            written = committer.submit(Urgency.DEFERRABLE, c -> accepting.get(id) == mine ? insert(entry) : 0);
        } catch (StoreException e) {
            LOG.warn("payment {} is in the intake log only; the store is closing, the next start writes its row", id);
            return;
        }
        written.whenComplete((inserted, error) -> {
            if (error == null) {
                intakeLog.applied(ticket);
                accepting.remove(id, mine);
            } else if (!closed) {
                LOG.error("payment {} is journaled but its row could not be written; trying again in {} ms",
                        id, ROW_RETRY.toMillis(), error);
                CompletableFuture.delayedExecutor(ROW_RETRY.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> writeRow(entry, ticket, mine));
            }
        });
    }

    private static AcceptResult answer(Payment payment, long acceptedCents) {
        return acceptedCents == payment.amountCents()
                ? new AcceptResult.AlreadyAccepted()
                : new AcceptResult.Conflict(acceptedCents);
    }

    /** Waits until the earlier request with the same id is durable, and returns the amount it holds. */
    private static long durableAmount(Accepting earlier) {
        try {
            return earlier.amountCents().join();
        } catch (CompletionException e) {
            throw new StoreException("an earlier request with this correlationId failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Also writes the payment's row if it is not there yet but the payment is one of
     * {@link #accepting}: its own insert failed and waits for a retry, and the attempt must not be
     * taken for one on a purged or settled payment.
     */
    @Override
    public boolean attemptStarted(UUID correlationId, String processor, Instant requestedAt) {
        long now = clock.millis();
        return committer.execute(Urgency.DEFERRABLE, c -> {
            if (payments.attemptStarted(correlationId, processor, requestedAt, now) == 1) {
                return true;
            }
            Accepting pending = accepting.get(correlationId);
            Long amountCents = pending == null ? null : pending.amountCents().getNow(null);
            if (amountCents == null) {
                return false;
            }
            payments.insert(correlationId, amountCents, pending.acceptedAtMillis());
            return payments.attemptStarted(correlationId, processor, requestedAt, now) == 1;
        });
    }

    @Override
    public void processed(UUID correlationId, String processor, Instant requestedAt) {
        long now = clock.millis();
        committer.execute(Urgency.DEFERRABLE, c -> payments.processed(correlationId, processor, requestedAt, now));
    }

    @Override
    public void attemptEnded(UUID correlationId, String pinnedProcessor, String error) {
        long now = clock.millis();
        committer.execute(Urgency.DEFERRABLE, c -> payments.attemptEnded(correlationId, pinnedProcessor, error, now));
    }

    @Override
    public void failed(UUID correlationId, String reason) {
        long now = clock.millis();
        committer.execute(Urgency.DEFERRABLE, c -> payments.failed(correlationId, reason, now));
    }

    @Override
    public void purge() {
        // Exclusive: a payment accepted meanwhile is either wholly before the cut (its row is
        // inserted before the DELETE, its log record in the old generation) or wholly after it.
        purgeLock.writeLock().lock();
        try {
            // The log first: a crash between the two must not bring purged payments back.
            intakeLog.startGeneration();
            accepting.clear();
            knownIds.clear();
            committer.execute(Urgency.NOW, c -> {
                SqliteLedger.deleteAll(c);
                return PaymentTable.deleteAll(c);
            });
        } finally {
            purgeLock.writeLock().unlock();
        }
    }

    @Override
    public List<PaymentRecord> unfinished() {
        return payments.unfinished();
    }

    /**
     * The database first, where every payment ends up; then {@link #accepting}, for one whose row
     * is still on its way; then the database again, in case the row landed between the two looks.
     */
    @Override
    public Optional<PaymentRecord> find(UUID correlationId) {
        return payments.find(correlationId)
                .or(() -> Optional.ofNullable(accepting.get(correlationId)).flatMap(a -> acceptedRecord(correlationId, a)))
                .or(() -> payments.find(correlationId));
    }

    private static Optional<PaymentRecord> acceptedRecord(UUID correlationId, Accepting accepted) {
        CompletableFuture<Long> amount = accepted.amountCents();
        if (!amount.isDone() || amount.isCompletedExceptionally()) {
            return Optional.empty();
        }
        return Optional.of(new PaymentRecord(correlationId, amount.join(), PaymentState.QUEUED, null, false, null, 0,
                null, Instant.ofEpochMilli(accepted.acceptedAtMillis())));
    }

    @Override
    public List<PaymentRecord> list(PaymentState state, UUID after, int limit) {
        return payments.list(state, after, limit);
    }

    @Override
    public Optional<PaymentRecord> requeueFailed(UUID correlationId) {
        long now = clock.millis();
        int requeued = committer.execute(Urgency.NOW, c -> PaymentTable.requeueFailed(c, correlationId, now));
        return requeued == 1 ? payments.find(correlationId) : Optional.empty();
    }

    /** Stops retrying rows; the database and the intake log are closed by their owner. */
    @Override
    public void close() {
        closed = true;
    }
}
