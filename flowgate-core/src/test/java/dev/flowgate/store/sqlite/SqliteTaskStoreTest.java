package dev.flowgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.routing.MutableClock;
import dev.flowgate.store.Durability;
import dev.flowgate.task.NewTask;
import dev.flowgate.task.Task;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskQuery;
import dev.flowgate.task.TaskStatus;
import dev.flowgate.task.TaskStore;
import dev.flowgate.task.TaskStore.Ending;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteTaskStoreTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();
    private final Random random = new Random(7);
    private SqliteStore store;
    private TaskStore tasks;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir, Durability.NO_FSYNC, clock);
        tasks = store.tasks();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private NewTask task(String contextId, int priority, Instant dueAt, int maxAttempts) {
        return new NewTask(TaskId.generate(clock.millis(), random), "flow", "{\"n\":1}", "worker-1", contextId, "api",
                priority, dueAt, maxAttempts);
    }

    private NewTask enqueued(String contextId, int priority) {
        NewTask task = task(contextId, priority, clock.instant(), 3);
        tasks.enqueue(task).join();
        return task;
    }

    private List<TaskId> claim(int max) {
        return tasks.claim("worker-a", max, clock.instant(), LEASE).stream().map(Task::id).toList();
    }

    private Task claimOne(TaskId id) {
        Task claimed = tasks.claim("worker-a", 100, clock.instant(), LEASE).stream()
                .filter(t -> t.id().equals(id)).findFirst().orElseThrow();
        assertThat(claimed.status()).isEqualTo(TaskStatus.PROCESSING);
        return claimed;
    }

    @Test
    void aTaskThatCanRunNowIsClaimedInItsEnqueuesTransaction() {
        NewTask task = task("ctx-direct", 0, clock.instant(), 3);
        Task claimed = tasks.enqueueAndClaim(task, "worker-a", clock.instant(), LEASE).join().orElseThrow();
        assertThat(claimed.id()).isEqualTo(task.id());
        assertThat(claimed.status()).isEqualTo(TaskStatus.PROCESSING);
        assertThat(claimed.attempts()).isOne();
        assertThat(claimed.leaseOwner()).isEqualTo("worker-a");
        assertThat(claimed.leaseExpiresAt()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(tasks.find(task.id())).contains(claimed);
        assertThat(tasks.end(task.id(), claimed.fencingToken(), new Ending.Completed("ok"), clock.instant())).isTrue();
    }

    @Test
    void aTaskBehindAnUnfinishedOneOfItsContextOrNotDueIsLeftPendingByEnqueueAndClaim() {
        NewTask first = enqueued("ctx-busy", 0);
        NewTask behind = task("ctx-busy", 0, clock.instant(), 3);
        NewTask later = task(null, 0, clock.instant().plusSeconds(60), 3);

        assertThat(tasks.enqueueAndClaim(behind, "worker-a", clock.instant(), LEASE).join()).isEmpty();
        assertThat(tasks.enqueueAndClaim(later, "worker-a", clock.instant(), LEASE).join()).isEmpty();

        assertThat(tasks.find(behind.id()).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);
        assertThat(tasks.find(later.id()).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);
        assertThat(claim(10)).containsExactly(first.id());
    }

    @Test
    void enqueueAndClaimOfAStoredIdLeavesTheStoredTaskAsItIs() {
        NewTask task = enqueued("ctx-again", 0);
        Task claimed = claimOne(task.id());
        assertThat(tasks.enqueueAndClaim(task, "worker-b", clock.instant(), LEASE).join()).isEmpty();
        assertThat(tasks.find(task.id())).contains(claimed);
    }

    @Test
    void anEnqueuedTaskIsPendingOnceDurable() {
        NewTask task = enqueued("ctx", 0);
        Task stored = tasks.find(task.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(stored.attempts()).isZero();
        assertThat(stored.payload()).isEqualTo("{\"n\":1}");
        assertThat(stored.createdAt()).isEqualTo(clock.instant());
    }

    @Test
    void aClaimTakesDueTasksHighestPriorityFirstUnderALease() {
        NewTask low = enqueued(null, 0);
        NewTask high = enqueued(null, 5);
        NewTask middle = enqueued(null, 1);
        List<Task> claimed = tasks.claim("worker-a", 2, clock.instant(), LEASE);
        assertThat(claimed).extracting(Task::id).containsExactly(high.id(), middle.id());
        Task first = claimed.getFirst();
        assertThat(first.status()).isEqualTo(TaskStatus.PROCESSING);
        assertThat(first.leaseOwner()).isEqualTo("worker-a");
        assertThat(first.leaseExpiresAt()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(first.attempts()).isOne();
        assertThat(first.fencingToken()).isOne();
        assertThat(claim(10)).containsExactly(low.id());
    }

    @Test
    void aTaskIsNotClaimedBeforeItIsDue() {
        NewTask later = task(null, 0, clock.instant().plusSeconds(5), 3);
        tasks.enqueue(later).join();
        assertThat(claim(10)).isEmpty();
        clock.advance(Duration.ofSeconds(5));
        assertThat(claim(10)).containsExactly(later.id());
    }

    @Test
    void tasksOfOneContextRunOneAtATimeInOrderAndOtherContextsBesideThem() {
        NewTask a1 = enqueued("a", 0);
        NewTask a2 = enqueued("a", 9);
        NewTask b1 = enqueued("b", 0);
        List<Task> claimed = tasks.claim("worker-a", 10, clock.instant(), LEASE);
        assertThat(claimed).extracting(Task::id).containsExactlyInAnyOrder(a1.id(), b1.id());
        assertThat(claim(10)).as("a2 waits for a1").isEmpty();
        Task first = claimed.stream().filter(t -> t.id().equals(a1.id())).findFirst().orElseThrow();
        assertThat(tasks.end(a1.id(), first.fencingToken(), new Ending.Completed("ok"), clock.instant())).isTrue();
        assertThat(claim(10)).containsExactly(a2.id());
    }

    @Test
    void aLaterTaskOfAContextWaitsWhileAnEarlierOneBacksOff() {
        NewTask first = enqueued("a", 0);
        NewTask second = enqueued("a", 0);
        Task claimed = claimOne(first.id());
        tasks.end(first.id(), claimed.fencingToken(), new Ending.Retry(clock.instant().plusSeconds(10), "busy"),
                clock.instant());
        assertThat(claim(10)).isEmpty();
        clock.advance(Duration.ofSeconds(10));
        assertThat(claim(10)).containsExactly(first.id());
        assertThat(tasks.find(second.id()).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);
    }

    @Test
    void anEndWithAStaleFencingTokenIsRefusedAndCounted() {
        NewTask task = enqueued("a", 0);
        Task stale = claimOne(task.id());
        clock.advance(LEASE.plusMillis(1));
        assertThat(tasks.expireLeases(clock.instant())).isOne();
        Task current = claimOne(task.id());
        assertThat(current.fencingToken()).isGreaterThan(stale.fencingToken());

        assertThat(tasks.end(task.id(), stale.fencingToken(), new Ending.Completed("late"), clock.instant())).isFalse();
        assertThat(tasks.staleEnds()).isOne();
        assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.PROCESSING);
        assertThat(tasks.end(task.id(), current.fencingToken(), new Ending.Completed("on time"), clock.instant())).isTrue();
        Task done = tasks.find(task.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(done.output()).isEqualTo("on time");
        assertThat(done.finishedAt()).isEqualTo(clock.instant());
        assertThat(done.leaseOwner()).isNull();
    }

    @Test
    void aCompletionEnqueuesItsNextTasksAndAStaleOneEnqueuesNothing() {
        NewTask task = enqueued("a", 0);
        Task stale = claimOne(task.id());
        clock.advance(LEASE.plusMillis(1));
        tasks.expireLeases(clock.instant());
        Task current = claimOne(task.id());
        NewTask lost = task("b", 0, clock.instant(), 3);
        NewTask next = task("b", 0, clock.instant(), 3);

        assertThat(tasks.end(task.id(), stale.fencingToken(), new Ending.Completed("late", List.of(lost)),
                clock.instant())).isFalse();
        assertThat(tasks.end(task.id(), current.fencingToken(), new Ending.Completed("done", List.of(next)),
                clock.instant())).isTrue();

        assertThat(tasks.find(lost.id())).as("the stale end's next task").isEmpty();
        assertThat(tasks.find(next.id()).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);
    }

    @Test
    void aCompletionSavesItsContextValuesAndAStaleOneSavesNothing() {
        NewTask task = enqueued("ctx-1", 0);
        Task stale = claimOne(task.id());
        clock.advance(LEASE.plusMillis(1));
        tasks.expireLeases(clock.instant());
        Task current = claimOne(task.id());

        assertThat(tasks.end(task.id(), stale.fencingToken(), new Ending.Completed("late", List.of(),
                Map.of("customer", "\"cus_stale\"", "only_stale", "1")), clock.instant())).isFalse();
        assertThat(tasks.end(task.id(), current.fencingToken(), new Ending.Completed("done", List.of(),
                Map.of("customer", "\"cus_1\"")), clock.instant())).isTrue();

        assertThat(tasks.contextValue("ctx-1", "customer")).contains("\"cus_1\"");
        assertThat(tasks.contextValue("ctx-1", "only_stale")).as("the stale end's write").isEmpty();
        assertThat(tasks.contextValue("ctx-2", "customer")).as("another context").isEmpty();
    }

    @Test
    void aLaterCompletionOfTheContextOverwritesAValue() {
        for (String value : List.of("1", "2")) {
            NewTask task = enqueued("ctx-1", 0);
            Task claimed = claimOne(task.id());
            tasks.end(task.id(), claimed.fencingToken(), new Ending.Completed(null, List.of(), Map.of("n", value)),
                    clock.instant());
        }
        assertThat(tasks.contextValue("ctx-1", "n")).contains("2");
    }

    @Test
    void aRenewalExtendsTheLeaseOfTheCurrentAttemptOnly() {
        NewTask renewed = enqueued("a", 0);
        NewTask taken = enqueued("b", 0);
        Task stale = claimOne(taken.id()); // claims both
        clock.advance(LEASE.plusMillis(1));
        assertThat(tasks.expireLeases(clock.instant())).isEqualTo(2);
        Task current = claimOne(renewed.id()); // both again: the stale attempt of b no longer holds it
        clock.advance(LEASE.dividedBy(2));
        Instant until = clock.instant().plus(LEASE);
        assertThat(tasks.renew(java.util.Map.of(current.id(), current.fencingToken(),
                stale.id(), stale.fencingToken()), until)).containsExactly(stale.id());

        clock.advance(LEASE.dividedBy(2).plusMillis(1)); // past the claim's lease, inside the renewed one
        assertThat(tasks.expireLeases(clock.instant())).as("only the unrenewed one").isOne();
        Task still = tasks.find(current.id()).orElseThrow();
        assertThat(still.status()).isEqualTo(TaskStatus.PROCESSING);
        assertThat(still.leaseExpiresAt()).isEqualTo(until);
    }

    @Test
    void anExpiredLeaseReturnsTheTaskToPendingAndSaysWhy() {
        NewTask task = enqueued("a", 0);
        claimOne(task.id());
        assertThat(tasks.expireLeases(clock.instant().plus(LEASE))).as("not before it ran out").isZero();
        clock.advance(LEASE.plusMillis(1));
        assertThat(tasks.expireLeases(clock.instant())).isOne();
        Task back = tasks.find(task.id()).orElseThrow();
        assertThat(back.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(back.error()).contains("lease of worker-a expired");
        assertThat(back.leaseOwner()).isNull();
    }

    @Test
    void anExpiredLeaseOnTheLastAttemptReturnsTheTaskToBeClaimedPastItsAttempts() {
        NewTask task = task("a", 0, clock.instant(), 1);
        tasks.enqueue(task).join();
        claimOne(task.id());
        clock.advance(LEASE.plusMillis(1));
        tasks.expireLeases(clock.instant());
        Task back = tasks.find(task.id()).orElseThrow();
        assertThat(back.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(back.error()).contains("expired before it ended attempt 1");
        Task again = claimOne(task.id());
        assertThat(again.attempts()).as("past its attempts: the runtime ends it unrun").isGreaterThan(again.maxAttempts());
    }

    @Test
    void aDeadLetterIsListedAndAnOperatorsRetryQueuesItAgain() {
        NewTask task = enqueued("a", 0);
        Task claimed = claimOne(task.id());
        tasks.end(task.id(), claimed.fencingToken(), new Ending.DeadLetter("card declined"), clock.instant());
        assertThat(tasks.list(new TaskQuery(null, null, TaskStatus.ERROR), null, 10)).extracting(Task::id)
                .containsExactly(task.id());

        Task again = tasks.retry(task.id(), clock.instant()).orElseThrow();
        assertThat(again.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(again.attempts()).isZero();
        assertThat(again.error()).contains("queued again by an operator").contains("card declined");
        assertThat(tasks.retry(task.id(), clock.instant())).as("only a dead letter can be retried").isEmpty();
        assertThat(claim(10)).containsExactly(task.id());
    }

    @Test
    void tasksAreListedByWorkerContextAndStatusInIdOrderInPages() {
        NewTask a = enqueued("ctx-1", 0);
        clock.advance(Duration.ofMillis(1)); // ids order by their millisecond; within one, at random
        NewTask b = enqueued("ctx-2", 0);
        clock.advance(Duration.ofMillis(1));
        NewTask c = enqueued("ctx-1", 0);
        assertThat(tasks.list(TaskQuery.ALL, null, 10)).extracting(Task::id).containsExactly(a.id(), b.id(), c.id());
        assertThat(tasks.list(TaskQuery.ALL, a.id(), 1)).extracting(Task::id).containsExactly(b.id());
        assertThat(tasks.list(new TaskQuery(null, "ctx-1", null), null, 10)).extracting(Task::id)
                .containsExactly(a.id(), c.id());
        assertThat(tasks.list(new TaskQuery("worker-2", null, null), null, 10)).isEmpty();
        assertThat(tasks.list(new TaskQuery("worker-1", null, TaskStatus.PENDING), null, 10)).hasSize(3);
    }

    @Test
    void aTaskEnqueuedAgainUnderItsIdIsStoredOnceAsFirstGiven() {
        NewTask task = enqueued("a", 0);
        NewTask again = new NewTask(task.id(), task.kind(), "{\"second\":true}", task.workerId(), task.contextId(),
                task.callerId(), task.priority(), task.dueAt(), task.maxAttempts());
        tasks.enqueue(again, TaskStore.Commit.GROUPED).join();
        assertThat(tasks.list(TaskQuery.ALL, null, 10)).singleElement().extracting(Task::payload).isEqualTo(task.payload());
    }

    @Test
    void tasksSurviveARestartAndOneClaimedBeforeItIsPendingAgainAtOnce() {
        NewTask claimed = enqueued("b", 0);
        claimOne(claimed.id());
        NewTask pending = enqueued("a", 0);
        store.close();
        // Reopened well within the lease: the embedded file is one process's, so its old leases are a dead process's.
        store = SqliteStore.open(dir, Durability.NO_FSYNC, clock);
        tasks = store.tasks();
        assertThat(tasks.find(pending.id()).orElseThrow().status()).isEqualTo(TaskStatus.PENDING);
        Task released = tasks.find(claimed.id()).orElseThrow();
        assertThat(released.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(released.error()).contains("lease").contains("expired");
        assertThat(claim(10)).containsExactlyInAnyOrder(pending.id(), claimed.id());
    }
}
