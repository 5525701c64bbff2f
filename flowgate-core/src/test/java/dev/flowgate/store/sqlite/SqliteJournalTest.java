package dev.flowgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.payment.AcceptResult;
import dev.flowgate.payment.Payment;
import dev.flowgate.payment.PaymentRecord;
import dev.flowgate.payment.PaymentState;
import dev.flowgate.store.Durability;
import dev.flowgate.store.Journal;
import dev.flowgate.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteJournalTest {
    @TempDir
    Path dir;
    private SqliteStore store;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Journal journal() {
        return store.journal();
    }

    @Test
    void aNewPaymentIsAcceptedAndQueued() {
        Payment payment = new Payment(UUID.randomUUID(), 1990);
        assertThat(journal().append(payment)).isInstanceOf(AcceptResult.Accepted.class);
        PaymentRecord record = journal().find(payment.correlationId()).orElseThrow();
        assertThat(record.state()).isEqualTo(PaymentState.QUEUED);
        assertThat(record.amountCents()).isEqualTo(1990);
    }

    @Test
    void theSameIdAndAmountAgainIsAlreadyAccepted() {
        Payment payment = new Payment(UUID.randomUUID(), 1990);
        journal().append(payment);
        assertThat(journal().append(payment)).isInstanceOf(AcceptResult.AlreadyAccepted.class);
    }

    @Test
    void theSameIdWithAnotherAmountIsAConflictAndTheFirstStands() {
        UUID id = UUID.randomUUID();
        journal().append(new Payment(id, 1990));
        assertThat(journal().append(new Payment(id, 2000))).isEqualTo(new AcceptResult.Conflict(1990));
        assertThat(journal().find(id).orElseThrow().amountCents()).isEqualTo(1990);
    }

    @Test
    void aPaymentFromBeforeARestartIsStillRecognisedAfterIt() {
        UUID id = UUID.randomUUID();
        journal().append(new Payment(id, 1990));
        store.close();
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC());
        assertThat(journal().append(new Payment(id, 1990))).isInstanceOf(AcceptResult.AlreadyAccepted.class);
        assertThat(journal().append(new Payment(id, 2000))).isEqualTo(new AcceptResult.Conflict(1990));
    }

    @Test
    void aPaymentWhoseRowIsCommittedIsStillADuplicate() throws Exception {
        UUID id = UUID.randomUUID();
        journal().append(new Payment(id, 1990));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (countRows(id) == 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        assertThat(countRows(id)).isOne();
        assertThat(journal().append(new Payment(id, 2000))).isEqualTo(new AcceptResult.Conflict(1990));
    }

    @Test
    void anIdIsNewAgainAfterAPurge() {
        UUID id = UUID.randomUUID();
        journal().append(new Payment(id, 1990));
        journal().purge();
        assertThat(journal().append(new Payment(id, 2000))).isInstanceOf(AcceptResult.Accepted.class);
        assertThat(journal().find(id).orElseThrow().amountCents()).isEqualTo(2000);
    }

    @Test
    void concurrentAppendsAreAllDurableAndSurviveReopening() throws Exception {
        List<UUID> ids = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<AcceptResult>> results = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                UUID id = UUID.randomUUID();
                ids.add(id);
                results.add(pool.submit(() -> journal().append(new Payment(id, 100))));
            }
            for (Future<AcceptResult> result : results) {
                assertThat(result.get()).isInstanceOf(AcceptResult.Accepted.class);
            }
        }
        store.close();
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC());
        assertThat(journal().unfinished()).extracting(PaymentRecord::correlationId).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void failedPaymentsAreListedInPagesInCorrelationIdOrder() {
        List<UUID> failed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            UUID id = UUID.randomUUID();
            journal().append(new Payment(id, 100));
            journal().failed(id, "reason " + i);
            failed.add(id);
        }
        journal().append(new Payment(UUID.randomUUID(), 100)); // queued: not listed
        failed.sort(java.util.Comparator.comparing(UUID::toString));
        List<PaymentRecord> first = journal().list(PaymentState.FAILED, null, 3);
        List<PaymentRecord> second = journal().list(PaymentState.FAILED, first.getLast().correlationId(), 3);
        assertThat(first).extracting(PaymentRecord::correlationId).containsExactlyElementsOf(failed.subList(0, 3));
        assertThat(second).extracting(PaymentRecord::correlationId).containsExactlyElementsOf(failed.subList(3, 5));
    }

    @Test
    void aFailedPaymentIsQueuedAgainWithItsPinAndWhyItFailed() {
        UUID id = UUID.randomUUID();
        journal().append(new Payment(id, 100));
        journal().attemptStarted(id, "default", Instant.now());
        journal().attemptEnded(id, "default", "timed out");
        journal().failed(id, "default is no longer configured");
        PaymentRecord requeued = journal().requeueFailed(id).orElseThrow();
        assertThat(requeued.state()).isEqualTo(PaymentState.QUEUED);
        assertThat(requeued.pinned()).isTrue();
        assertThat(requeued.processor()).isEqualTo("default");
        assertThat(requeued.lastError()).contains("queued again by an operator").contains("no longer configured");
        assertThat(journal().unfinished()).extracting(PaymentRecord::correlationId).contains(id);
    }

    @Test
    void aPaymentThatFailsWithAnAttemptInFlightStaysPinnedThroughARetry() {
        UUID id = UUID.randomUUID();
        journal().append(new Payment(id, 100));
        journal().attemptStarted(id, "old", Instant.now()); // then a crash: the outcome at "old" is unknown
        journal().failed(id, "pinned to processor 'old', which is no longer configured");
        assertThat(journal().find(id).orElseThrow().pinned()).isTrue();
        PaymentRecord requeued = journal().requeueFailed(id).orElseThrow();
        assertThat(requeued.pinned()).isTrue();
        assertThat(requeued.processor()).isEqualTo("old");
    }

    @Test
    void onlyAFailedPaymentCanBeQueuedAgain() {
        UUID queued = UUID.randomUUID();
        journal().append(new Payment(queued, 100));
        assertThat(journal().requeueFailed(queued)).isEmpty();
        assertThat(journal().requeueFailed(UUID.randomUUID())).isEmpty();
        assertThat(journal().find(queued).orElseThrow().state()).isEqualTo(PaymentState.QUEUED);
    }

    @Test
    void anEndedAttemptKeepsItsPinForReconciliation() {
        UUID id = UUID.randomUUID();
        journal().append(new Payment(id, 100));
        journal().attemptStarted(id, "default", Instant.now());
        journal().attemptEnded(id, "default", "timed out");
        PaymentRecord record = journal().find(id).orElseThrow();
        assertThat(record.state()).isEqualTo(PaymentState.QUEUED);
        assertThat(record.pinned()).isTrue();
        assertThat(record.processor()).isEqualTo("default");
        assertThat(record.attempts()).isEqualTo(1);
        assertThat(record.lastError()).isEqualTo("timed out");
    }

    @Test
    void paymentsOnlyInTheIntakeLogAreRecoveredAtTheNextStart() {
        store.close();
        UUID lost = UUID.randomUUID();
        // What a crash leaves when it strikes after the log's sync and before the row's commit.
        try (IntakeLog log = IntakeLog.open(dir.resolve(SqliteStore.INTAKE_LOG_FILE_NAME), true,
                IntakeLog.DEFAULT_SEGMENT_RECORDS)) {
            log.append(new IntakeLog.Entry(lost, 4321, 1_752_580_800_000L));
        }
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC());
        PaymentRecord record = journal().find(lost).orElseThrow();
        assertThat(record.state()).isEqualTo(PaymentState.QUEUED);
        assertThat(record.amountCents()).isEqualTo(4321);
        assertThat(record.acceptedAt()).isEqualTo(Instant.ofEpochMilli(1_752_580_800_000L));
        assertThat(journal().unfinished()).extracting(PaymentRecord::correlationId).containsExactly(lost);
    }

    @Test
    void recoveredPaymentsAreNotReplayedAgainAfterTheyAreSettled() {
        UUID id = UUID.randomUUID();
        journal().append(new Payment(id, 100));
        journal().attemptStarted(id, "default", Instant.now());
        journal().processed(id, "default", Instant.now());
        store.close();
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC());
        store.close();
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC());
        assertThat(journal().find(id).orElseThrow().state()).isEqualTo(PaymentState.PROCESSED);
        assertThat(journal().unfinished()).isEmpty();
    }

    @Test
    void concurrentRequestsWithOneIdAcceptItOnceAndAgreeOnItsAmount() throws Exception {
        UUID id = UUID.randomUUID();
        List<Future<AcceptResult>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 50; i++) {
                long cents = 100 + i % 2;
                results.add(pool.submit(() -> journal().append(new Payment(id, cents))));
            }
        }
        long stored = journal().find(id).orElseThrow().amountCents();
        int accepted = 0;
        for (Future<AcceptResult> result : results) {
            switch (result.get()) {
                case AcceptResult.Accepted a -> accepted++;
                case AcceptResult.AlreadyAccepted a -> { }
                case AcceptResult.Conflict conflict -> assertThat(conflict.existingAmountCents()).isEqualTo(stored);
            }
        }
        assertThat(accepted).isEqualTo(1);
    }

    @Test
    void purgedPaymentsDoNotComeBackAtTheNextStart() {
        journal().append(new Payment(UUID.randomUUID(), 100));
        journal().purge();
        store.close();
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC());
        assertThat(journal().unfinished()).isEmpty();
    }

    @Test
    void purgeForgetsPaymentsAndLedger() {
        settle("default", Instant.now(), 100);
        journal().purge();
        assertThat(store.ledger().summary(null, null)).isEmpty();
        assertThat(journal().unfinished()).isEmpty();
    }

    @Test
    void anAttemptOnAPaymentWhoseRowCouldNotBeWrittenWritesItFirst() throws Exception {
        UUID id = UUID.randomUUID();
        executeSql(REFUSE_INSERTS_OF_4242);
        assertThat(journal().append(new Payment(id, 4242))).isInstanceOf(AcceptResult.Accepted.class);
        assertThat(journal().find(id).orElseThrow().state()).isEqualTo(PaymentState.QUEUED);
        assertThatThrownBy(() -> journal().attemptStarted(id, "default", Instant.now()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("injected");

        executeSql(ALLOW_INSERTS);
        assertThat(journal().attemptStarted(id, "default", Instant.now())).isTrue();
        PaymentRecord record = journal().find(id).orElseThrow();
        assertThat(record.state()).isEqualTo(PaymentState.IN_FLIGHT);
        assertThat(record.amountCents()).isEqualTo(4242);
    }

    @Test
    void aRowThatCouldNotBeWrittenIsWrittenOnceTheDatabaseTakesItAgain() throws Exception {
        UUID id = UUID.randomUUID();
        executeSql(REFUSE_INSERTS_OF_4242);
        journal().append(new Payment(id, 4242));
        Thread.sleep(GroupCommitter.DEFERRABLE_WAIT_NANOS / 1_000_000 * 4);
        assertThat(countRows(id)).isZero();

        executeSql(ALLOW_INSERTS);
        long deadline = System.nanoTime() + SqliteJournal.ROW_RETRY.multipliedBy(10).toNanos();
        while (countRows(id) == 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
        assertThat(countRows(id)).isOne();
        assertThat(journal().unfinished()).extracting(PaymentRecord::correlationId).containsExactly(id);
    }

    private static final String REFUSE_INSERTS_OF_4242 = """
            CREATE TRIGGER refuse_4242 BEFORE INSERT ON payments WHEN NEW.amount_cents = 4242
            BEGIN SELECT RAISE(ABORT, 'injected failure'); END""";
    private static final String ALLOW_INSERTS = "DROP TRIGGER refuse_4242";

    /** Changes the database beside the store, as another process could. */
    private void executeSql(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(databaseUrl()); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
            s.execute(sql);
        }
    }

    private long countRows(UUID id) throws SQLException {
        try (Connection c = DriverManager.getConnection(databaseUrl());
             PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM payments WHERE correlation_id = ?")) {
            s.setString(1, id.toString());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private String databaseUrl() {
        return "jdbc:sqlite:" + dir.resolve(SqliteDatabase.FILE_NAME).toAbsolutePath();
    }

    private void settle(String processor, Instant at, long cents) {
        UUID id = UUID.randomUUID();
        journal().append(new Payment(id, cents));
        journal().attemptStarted(id, processor, at);
        journal().processed(id, processor, at);
    }

    /**
     * Growing the filter of known ids allocates, so adding an id is where accept can meet an
     * {@code OutOfMemoryError}: a request waiting on the same id must get an answer, not hang, and
     * the id must be acceptable again once memory is back.
     */
    @Test
    void anErrorWhileAcceptingAnswersTheRequestWaitingOnTheSameIdAndTheIdCanBeAcceptedAgain() throws Exception {
        store.close();
        CountDownLatch growing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger allocations = new AtomicInteger();
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC(), () -> new KnownIds(1, words -> {
            if (allocations.incrementAndGet() == 2) { // the first growth: the first id fills the first layer
                growing.countDown();
                awaitQuietly(release);
                throw new OutOfMemoryError("injected while growing the known ids");
            }
            return new AtomicLongArray(words);
        }));
        Payment payment = new Payment(UUID.randomUUID(), 1990);
        CompletableFuture<AcceptResult> first = new CompletableFuture<>();
        CompletableFuture<AcceptResult> second = new CompletableFuture<>();
        Thread firstThread = Thread.ofPlatform().start(() -> appendInto(payment, first));
        assertThat(growing.await(10, TimeUnit.SECONDS)).isTrue();
        Thread secondThread = Thread.ofPlatform().start(() -> appendInto(payment, second));
        awaitWaiting(secondThread); // on the first request's answer
        release.countDown();
        firstThread.join(10_000);
        secondThread.join(10_000);

        assertThatThrownBy(first::join).hasCauseInstanceOf(OutOfMemoryError.class);
        assertThatThrownBy(second::join)
                .hasCauseInstanceOf(StoreException.class)
                .hasMessageContaining("an earlier request with this correlationId failed");
        assertThat(journal().append(payment)).isInstanceOf(AcceptResult.Accepted.class);
        store.close();
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC());
        assertThat(journal().find(payment.correlationId()).orElseThrow().amountCents()).isEqualTo(1990);
        assertThat(journal().append(payment)).isInstanceOf(AcceptResult.AlreadyAccepted.class);
    }

    private void appendInto(Payment payment, CompletableFuture<AcceptResult> answer) {
        try {
            answer.complete(journal().append(payment));
        } catch (Throwable t) {
            answer.completeExceptionally(t);
        }
    }

    private static void awaitWaiting(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(thread.getState()).isEqualTo(Thread.State.WAITING);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
