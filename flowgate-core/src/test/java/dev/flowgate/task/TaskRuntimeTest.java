package dev.flowgate.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.metrics.Metrics;
import dev.flowgate.routing.MutableClock;
import dev.flowgate.store.Durability;
import dev.flowgate.store.sqlite.SqliteStore;
import dev.flowgate.work.Backoff;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime on the real embedded store, with handlers that misbehave on cue. */
class TaskRuntimeTest {
    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(10), Duration.ofMillis(40));
    @TempDir
    Path dir;
    private final Random random = new Random(11);
    private SqliteStore store;
    private TaskRuntime runtime;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir, Durability.NO_FSYNC, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
        store.close();
    }

    private void start(Map<String, TaskRuntime.Handler> handlers, int concurrency) {
        runtime = new TaskRuntime(store.tasks(), handlers,
                new TaskRuntime.Settings("test-runtime", concurrency, LEASE, Duration.ofMillis(20), BACKOFF),
                Clock.systemUTC(), random, Metrics.NONE);
    }

    private TaskId enqueue(String kind, String contextId, int maxAttempts) {
        TaskId id = TaskId.generate(System.currentTimeMillis(), random);
        store.tasks().enqueue(new NewTask(id, kind, "{\"n\":" + id.hashCode() + "}", "worker-1", contextId, "test",
                0, Instant.now(), maxAttempts)).join();
        if (runtime != null) {
            runtime.wake();
        }
        return id;
    }

    private Task awaitTask(TaskId id, Predicate<Task> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Task task = store.tasks().find(id).orElseThrow();
        while (!condition.test(task) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            task = store.tasks().find(id).orElseThrow();
        }
        return task;
    }

    private Task awaitEnd(TaskId id) throws InterruptedException {
        return awaitTask(id, t -> t.status() == TaskStatus.COMPLETED || t.status() == TaskStatus.ERROR);
    }

    @Test
    void aHandlerRunsTheTasksOfItsKindAndItsOutputIsKept() throws Exception {
        start(Map.of("echo", task -> new TaskOutcome.Done("ran " + task.payload())), 4);
        TaskId id = enqueue("echo", "ctx", 3);
        Task done = awaitEnd(id);
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(done.output()).isEqualTo("ran " + done.payload());
        assertThat(done.attempts()).isOne();
    }

    @Test
    void aThrowingHandlerLosesNoTaskAndIsRetriedWithBackoffNotInASpin() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        start(Map.of("flaky", task -> {
            if (runs.incrementAndGet() < 3) {
                throw new IllegalStateException("injected failure " + runs.get());
            }
            return new TaskOutcome.Done("third time");
        }), 4);
        TaskId id = enqueue("flaky", null, 5);
        Task done = awaitEnd(id);
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(done.attempts()).isEqualTo(3);
        assertThat(runs).hasValue(3);
    }

    @Test
    void aTaskThatKeepsFailingBecomesADeadLetterWithItsLastReason() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        start(Map.of("doomed", task -> {
            runs.incrementAndGet();
            return new TaskOutcome.Failed("processor said no");
        }), 4);
        TaskId id = enqueue("doomed", null, 3);
        Task dead = awaitEnd(id);
        assertThat(dead.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(dead.error()).isEqualTo("failed 3 times; the last: processor said no");
        Thread.sleep(100);
        assertThat(runs).as("no run after the last attempt").hasValue(3);
    }

    @Test
    void aDeadOutcomeEndsTheTaskAtOnceWhateverAttemptsRemain() throws Exception {
        start(Map.of("final", task -> new TaskOutcome.Dead("card declined")), 4);
        Task dead = awaitEnd(enqueue("final", null, 10));
        assertThat(dead.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(dead.attempts()).isOne();
        assertThat(dead.error()).isEqualTo("card declined");
    }

    @Test
    void aCompletionWhoseNextTaskCannotBeEnqueuedIsADeadLetterSayingWhyNotARunForever() throws Exception {
        TaskId taken = enqueue("other", null, 1);
        AtomicInteger runs = new AtomicInteger();
        start(Map.of("chain", task -> {
            runs.incrementAndGet();
            return new TaskOutcome.Done("first", List.of(new NewTask(taken, "other", "{}", "worker-1", null, "test",
                    0, Instant.now(), 1)));
        }), 4);
        Task dead = awaitEnd(enqueue("chain", null, 5));
        assertThat(dead.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(dead.error()).startsWith("completed, but its next tasks or context values could not be saved");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aDeadLetterWhoseFailureHandlerCannotBeEnqueuedIsStillADeadLetterSayingSo() throws Exception {
        TaskId taken = enqueue("other", null, 1);
        start(Map.of("doomed", task -> new TaskOutcome.Failed("declined",
                List.of(new NewTask(taken, "other", "{}", "worker-1", null, "test", 0, Instant.now(), 1)))), 4);
        Task dead = awaitEnd(enqueue("doomed", null, 1));
        assertThat(dead.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(dead.error()).startsWith("failed 1 times; the last: declined")
                .contains("the tasks that handle its failure could not be saved");
    }

    @Test
    void aTaskOfAKindWithoutAHandlerIsADeadLetterSayingSo() throws Exception {
        start(Map.of(), 4);
        Task dead = awaitEnd(enqueue("nobody", null, 10));
        assertThat(dead.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(dead.error()).contains("no handler for tasks of kind 'nobody'");
    }

    @Test
    void tasksOfOneContextRunOneAtATimeInOrderWhileOtherContextsRunBesideThem() throws Exception {
        Map<String, AtomicInteger> inContext = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<String> orderInA = Collections.synchronizedList(new ArrayList<>());
        start(Map.of("step", task -> {
            AtomicInteger here = inContext.computeIfAbsent(task.contextId(), c -> new AtomicInteger());
            if (here.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            if (task.contextId().equals("a")) {
                orderInA.add(task.payload());
            }
            Thread.sleep(5);
            atOnce.decrementAndGet();
            here.decrementAndGet();
            return new TaskOutcome.Done(null);
        }), 8);
        List<String> expectedInA = new ArrayList<>();
        List<TaskId> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            TaskId a = enqueue("step", "a", 3);
            expectedInA.add(store.tasks().find(a).orElseThrow().payload());
            all.add(a);
            all.add(enqueue("step", "b" + (i % 4), 3));
        }
        for (TaskId id : all) {
            assertThat(awaitEnd(id).status()).isEqualTo(TaskStatus.COMPLETED);
        }
        assertThat(overlaps).as("two tasks of one context at once").hasValue(0);
        assertThat(orderInA).containsExactlyElementsOf(expectedInA);
        assertThat(mostAtOnce.get()).as("contexts ran in parallel").isGreaterThan(1);
    }

    @Test
    void tasksSubmittedNowRunOnceEachInContextOrderWhetherClaimedWithTheirEnqueueOrLater() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        start(Map.of("step", task -> {
            if (running.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            order.add(task.payload());
            Thread.sleep(2);
            running.decrementAndGet();
            return new TaskOutcome.Done(null);
        }), 1); // one slot: while a task runs, the next submission cannot be claimed with its enqueue
        List<String> submitted = new ArrayList<>();
        List<TaskId> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            TaskId id = TaskId.generate(System.currentTimeMillis(), random);
            String payload = "{\"n\":" + i + "}";
            runtime.enqueue(new NewTask(id, "step", payload, "worker-1", "ctx-now", "test", 0, Instant.now(), 3),
                    TaskStore.Commit.NOW).join();
            submitted.add(payload);
            ids.add(id);
        }
        for (TaskId id : ids) {
            Task done = awaitEnd(id);
            assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(done.attempts()).isOne();
        }
        assertThat(order).containsExactlyElementsOf(submitted);
        assertThat(overlaps).hasValue(0);
    }

    @Test
    void aTaskWhoseLastAttemptDiedWithItsWorkerIsADeadLetterUnrunAndItsFailureHandlerIsEnqueued() throws Exception {
        TaskId id = enqueue("fragile", null, 1);
        Instant now = Instant.now();
        assertThat(store.tasks().claim("dead-worker", 10, now, Duration.ofMillis(1))).hasSize(1);
        store.tasks().expireLeases(now.plusSeconds(1));
        TaskId handlerId = TaskId.generate(System.currentTimeMillis(), random);
        AtomicInteger runs = new AtomicInteger();
        start(Map.of("fragile", new TaskRuntime.Handler() {
            @Override
            public TaskOutcome run(Task task) {
                runs.incrementAndGet();
                return new TaskOutcome.Done("ran");
            }

            @Override
            public List<NewTask> ifLostForGood(Task task) {
                return List.of(new NewTask(handlerId, "cleanup", "{}", "worker-1", null, "test", 0, Instant.now(), 1));
            }
        }, "cleanup", task -> new TaskOutcome.Done("cleaned up")), 4);

        Task dead = awaitEnd(id);
        assertThat(dead.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(dead.error()).startsWith("its last attempt ended with its worker; the lease of dead-worker expired");
        assertThat(runs).hasValue(0);
        assertThat(awaitEnd(handlerId).output()).isEqualTo("cleaned up");
    }

    @Test
    void aTaskWhoseWorkerDiedRunsAgainOnceItsLeaseExpires() throws Exception {
        TaskId id = enqueue("echo", "ctx", 3);
        List<Task> taken = store.tasks().claim("a-worker-that-dies", 1, Instant.now(), LEASE);
        assertThat(taken).extracting(Task::id).containsExactly(id);
        start(Map.of("echo", task -> new TaskOutcome.Done("rescued by " + task.leaseOwner())), 4);
        Task done = awaitEnd(id);
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(done.output()).isEqualTo("rescued by test-runtime");
        assertThat(done.attempts()).isEqualTo(2);
    }

    @Test
    void aRunThatLostItsLeaseIsInterruptedAndItsLateEndRefused() throws Exception {
        java.util.concurrent.CompletableFuture<Task> takenOver = new java.util.concurrent.CompletableFuture<>();
        AtomicInteger interrupted = new AtomicInteger();
        start(Map.of("slow", task -> {
            // As if this process stalled past its lease: the lease expires and another worker takes the task.
            Instant later = Instant.now().plus(LEASE.multipliedBy(2));
            store.tasks().expireLeases(later);
            takenOver.complete(store.tasks().claim("another-worker", 1, later, Duration.ofMinutes(5)).getFirst());
            try {
                Thread.sleep(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return new TaskOutcome.Done("late");
        }), 4);
        TaskId id = enqueue("slow", null, 5);
        Task other = takenOver.get(20, java.util.concurrent.TimeUnit.SECONDS);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (store.tasks().staleEnds() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(interrupted).as("the run that lost its lease").hasValue(1);
        assertThat(store.tasks().staleEnds()).isOne();
        assertThat(store.tasks().end(id, other.fencingToken(), new TaskStore.Ending.Completed("second run"),
                Instant.now())).isTrue();
        assertThat(store.tasks().find(id).orElseThrow().output()).isEqualTo("second run");
    }

    @Test
    void aRunLongerThanItsLeaseKeepsItsTaskByRenewalAndRunsOnce() throws Exception {
        MutableClock clock = new MutableClock();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        runtime = new TaskRuntime(store.tasks(), Map.of("slow", task -> {
            runs.incrementAndGet();
            release.await();
            return new TaskOutcome.Done("finished");
        }), new TaskRuntime.Settings("test-runtime", 2, LEASE, Duration.ofMillis(20), BACKOFF), clock, random, Metrics.NONE);
        TaskId id = TaskId.generate(clock.millis(), random);
        store.tasks().enqueue(new NewTask(id, "slow", "{}", "worker-1", null, "test", 0, clock.instant(), 3)).join();
        runtime.wake();
        awaitTask(id, t -> t.status() == TaskStatus.PROCESSING);

        for (int step = 0; step < 6; step++) { // three leases of the clock's time, in half-lease steps
            clock.advance(LEASE.dividedBy(2));
            Instant renewedTo = clock.instant().plus(LEASE);
            assertThat(awaitTask(id, t -> !t.leaseExpiresAt().isBefore(renewedTo)).leaseExpiresAt())
                    .as("renewed at step " + step).isAfterOrEqualTo(renewedTo);
        }
        release.countDown();

        Task done = awaitEnd(id);
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(done.attempts()).isOne();
        assertThat(runs).hasValue(1);
    }
}
