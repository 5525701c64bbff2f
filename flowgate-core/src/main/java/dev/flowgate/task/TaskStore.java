package dev.flowgate.task;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where tasks are kept: durable, claimed under leases, ended only by the holder of the current
 * fencing token. Thread-safe. Embedded on SQLite; a PostgreSQL adapter claims with
 * {@code FOR UPDATE SKIP LOCKED} and a Redis one with stream consumer groups, behind this port.
 */
public interface TaskStore {
    /** How soon an enqueued task must be committed. */
    enum Commit {
        /** Now: someone waits to see it run (a dispatcher's submission); the commit starts at once. */
        NOW,
        /**
         * With the next group commit, within tens of milliseconds: nobody waits (a hook that follows
         * a payment), so the task shares a commit rather than adding one.
         */
        GROUPED
    }

    /**
     * Queues the task and returns at once; the future completes when the task is durable (or
     * exceptionally: the store refused it, or is closed). A task whose id is stored already is not
     * stored again, and its future completes all the same: enqueuing is idempotent by id, so a
     * caller unsure whether its submission landed may submit it again.
     */
    CompletableFuture<Void> enqueue(NewTask task, Commit commit);

    /** {@link #enqueue(NewTask, Commit)}, committed {@link Commit#NOW}. */
    default CompletableFuture<Void> enqueue(NewTask task) {
        return enqueue(task, Commit.NOW);
    }

    /**
     * {@link #enqueue(NewTask, Commit)} committed {@link Commit#NOW}, and in the same transaction
     * claimed for {@code owner} until {@code now + lease}, as {@link #claim} would, if it can run
     * now: it is due, and no earlier task of its context is unfinished. The future completes once
     * the task is durable: with the task as claimed, or empty when it was left pending for a later
     * claim (or its id was stored already, and the stored task is left as it is).
     */
    CompletableFuture<Optional<Task>> enqueueAndClaim(NewTask task, String owner, Instant now, Duration lease);

    /**
     * Claims up to {@code max} due tasks, highest priority first, for {@code owner} until
     * {@code now + lease}: each becomes {@code PROCESSING} with one more attempt and a new fencing
     * token. A task is claimable only when no earlier task of its context is unfinished, so tasks
     * of one context run one at a time, in order.
     */
    List<Task> claim(String owner, int max, Instant now, Duration lease);

    /**
     * Ends the attempt that holds {@code fencingToken} with {@code outcome}: completed, back to
     * pending at a due time, or a dead letter.
     *
     * @return false if that attempt no longer holds the task (its lease expired and another worker
     *         claimed it, or an operator moved it): nothing changed, and the refusal is counted
     */
    boolean end(TaskId id, long fencingToken, Ending ending, Instant now);

    /** What an attempt's end records; the runtime turns a handler's {@link TaskOutcome} into one. */
    sealed interface Ending {
        /**
         * Completed, with the tasks to enqueue and the values to save for the task's context (key to
         * JSON text), all in the same transaction.
         */
        record Completed(String output, List<NewTask> next, Map<String, String> contextWrites) implements Ending {
            public Completed {
                next = List.copyOf(next);
                contextWrites = Map.copyOf(contextWrites);
            }

            public Completed(String output) {
                this(output, List.of(), Map.of());
            }

            public Completed(String output, List<NewTask> next) {
                this(output, next, Map.of());
            }
        }

        record Retry(Instant at, String reason) implements Ending {
        }

        /** Failed for good, with the tasks to enqueue in the same transaction (what handles the failure). */
        record DeadLetter(String reason, List<NewTask> next) implements Ending {
            public DeadLetter {
                next = List.copyOf(next);
            }

            public DeadLetter(String reason) {
                this(reason, List.of());
            }
        }
    }

    /**
     * Extends to {@code until} the leases of the attempts that hold these fencing tokens (by task
     * id): their worker is alive and still running them. One write for all of them.
     *
     * @return the ids whose attempt no longer holds the task; their worker should give up on them
     */
    Set<TaskId> renew(Map<TaskId, Long> fencingTokens, Instant until);

    /**
     * Returns every task whose lease ran out before {@code now} to {@code PENDING} (its worker died
     * or stalled), its last attempt's too: claimed once more, past its attempts, it is made a dead
     * letter by the runtime without running again, and what handles its failure is enqueued then.
     * {@link Instant#MAX} expires every lease: for a store that knows no other process holds any.
     *
     * @return how many leases expired
     */
    int expireLeases(Instant now);

    Optional<Task> find(TaskId id);

    /**
     * The value (JSON text) a completed task of {@code contextId} saved under {@code key}, the last
     * one saved; what a task that did not complete wrote is never seen.
     */
    Optional<String> contextValue(String contextId, String key);

    /** Tasks matching {@code query}, in id order after {@code after} (null: from the start), at most {@code limit}. */
    List<Task> list(TaskQuery query, TaskId after, int limit);

    /**
     * Takes a dead letter back to {@code PENDING}, due now, with its attempts starting again.
     *
     * @return the task as now pending, or empty if it is unknown or not a dead letter
     */
    Optional<Task> retry(TaskId id, Instant now);

    /** Ends refused because their fencing token was stale, since the store opened. */
    long staleEnds();
}
