package dev.flowgate.task;

import dev.flowgate.metrics.Metrics;
import dev.flowgate.task.TaskStore.Ending;
import dev.flowgate.work.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks from a {@link TaskStore}: one claimer thread takes due tasks in batches while there is
 * room, each runs on a virtual thread with the handler registered for its kind, and its attempt
 * ends with the handler's outcome under the fencing token of its claim. A task enqueued through
 * the runtime to be committed now, while a slot is free, is claimed in its enqueue's own
 * transaction and starts when that commits: the way from a submission to its run is one commit.
 *
 * <p>Nothing is lost and nothing spins: a handler that throws fails its attempt, which is retried
 * with backoff until its attempts are used up and it becomes a dead letter; an end that cannot be
 * recorded leaves the task to its lease, whose expiry (checked here, for every owner's tasks)
 * returns it to pending; a claim that fails is tried again after the idle poll. The leases of
 * running tasks are renewed every third of a lease, so a run may take longer than one lease as
 * long as this process lives; a run whose lease was lost anyway (the process stalled past it, and
 * another took the task) is interrupted, and its end is refused by its fencing token.
 */
public final class TaskRuntime implements AutoCloseable {
    /** Runs one task; may block (it runs on a virtual thread of its own). */
    @FunctionalInterface
    public interface Handler {
        TaskOutcome run(Task task) throws Exception;

        /**
         * The tasks that handle the failure of a task whose last attempt ended with its worker (the
         * process died holding it): enqueued with its dead letter, as a {@link TaskOutcome.Failed}'s
         * {@code ifDead} would be. The task is not run again: it may be what killed the worker.
         */
        default List<NewTask> ifLostForGood(Task task) {
            return List.of();
        }
    }

    /**
     * @param owner       this runtime's name in leases; unique per process
     * @param concurrency tasks running at once, at most
     * @param lease       how long a claim holds a task; a run must end within it, or the task runs again
     * @param idlePoll    how often to look for due tasks when not woken
     * @param backoff     the wait before a failed attempt's retry
     */
    public record Settings(String owner, int concurrency, Duration lease, Duration idlePoll, Backoff backoff) {
        public Settings {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(backoff, "backoff");
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
            }
            if (!lease.isPositive() || !idlePoll.isPositive()) {
                throw new IllegalArgumentException("the lease and the idle poll must be positive: " + lease + ", " + idlePoll);
            }
        }
    }

    /** Claims per round, at most: bounds one claim's transaction. */
    private static final int MAX_BATCH = 64;
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(TaskRuntime.class);

    private final TaskStore store;
    private final Map<String, Handler> handlers;
    private final Settings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final Metrics metrics;
    /** Slots for running handlers; an attempt gives its slot back before its end is written. */
    private final Semaphore room;
    /** Attempts not yet ended, those waiting for their end's commit included: what {@link #close} waits for. */
    private final Phaser unended = new Phaser(1);
    /** What runs now, by the thread running it. */
    private final Map<Thread, Task> running = new ConcurrentHashMap<>();
    /** Who waits for a task to finish (complete or become a dead letter), by its id. */
    private final Map<TaskId, CompletableFuture<Task>> finishWaiters = new ConcurrentHashMap<>();
    private final Thread claimer;
    private volatile boolean closed;

    /** Starts claiming at once. */
    public TaskRuntime(TaskStore store, Map<String, Handler> handlers, Settings settings, Clock clock,
                       RandomGenerator random, Metrics metrics) {
        this.store = store;
        this.handlers = Map.copyOf(handlers);
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.metrics = metrics;
        this.room = new Semaphore(settings.concurrency());
        this.claimer = Thread.ofPlatform().name("task-claimer-" + settings.owner()).daemon().start(this::claimLoop);
    }

    /** A task may be due now (one was enqueued, or one ended): claim at once rather than at the next poll. */
    public void wake() {
        LockSupport.unpark(claimer);
    }

    /**
     * Queues a task; the future completes once it is durable, and the runtime looks for due tasks
     * then rather than at its next poll.
     */
    public CompletableFuture<Void> enqueue(NewTask task, TaskStore.Commit commit) {
        if (commit == TaskStore.Commit.NOW && !closed && room.tryAcquire()) {
            // A slot is free: claim the task in its enqueue's transaction and run it when that commits,
            // one commit and no claimer round on the way from submit to run.
            unended.register();
            return store.enqueueAndClaim(task, settings.owner(), clock.instant(), settings.lease())
                    .handle((claimed, error) -> {
                        if (error == null && claimed.isPresent()) {
                            start(claimed.get());
                        } else {
                            room.release();
                            unended.arriveAndDeregister();
                            wake();
                        }
                        if (error != null) {
                            throw error instanceof CompletionException c ? c : new CompletionException(error);
                        }
                        return null;
                    });
        }
        return store.enqueue(task, commit).thenRun(this::wake);
    }

    /**
     * Completes with the task once it has finished (completed, or a dead letter), at once if it has.
     * Only attempts this runtime ends complete it; whoever waits for a task another process may run
     * looks at the store from time to time as well, and calls {@link #stopWaiting} when it gives up.
     */
    public CompletableFuture<Task> whenFinished(TaskId id) {
        CompletableFuture<Task> finished = finishWaiters.computeIfAbsent(id, key -> new CompletableFuture<>());
        // Registered first, then read: an end committed in between is either seen here or completes the future.
        Optional<Task> now = store.find(id);
        if (now.isEmpty() || isFinished(now.get())) {
            finishWaiters.remove(id, finished);
            now.ifPresentOrElse(finished::complete, () -> finished.completeExceptionally(
                    new IllegalArgumentException("no task " + id)));
        }
        return finished;
    }

    /** Forgets a waiter that {@link #whenFinished} registered, for one who gave up waiting. */
    public void stopWaiting(TaskId id, CompletableFuture<Task> finished) {
        finishWaiters.remove(id, finished);
    }

    private static boolean isFinished(Task task) {
        return task.status() == TaskStatus.COMPLETED || task.status() == TaskStatus.ERROR;
    }

    private void notifyFinished(TaskId id) {
        CompletableFuture<Task> finished = finishWaiters.remove(id);
        if (finished != null) {
            store.find(id).ifPresent(finished::complete);
        }
    }

    private void claimLoop() {
        Instant nextExpiry = Instant.MIN;
        Instant nextRenewal = Instant.MIN;
        while (!closed) {
            try {
                Instant now = clock.instant();
                if (!now.isBefore(nextRenewal)) {
                    renewLeases(now);
                    nextRenewal = now.plus(settings.lease().dividedBy(3));
                }
                if (!now.isBefore(nextExpiry)) {
                    int expired = store.expireLeases(now);
                    if (expired > 0) {
                        LOG.warn("{} task leases expired (a worker died or stalled); their tasks run again", expired);
                    }
                    nextExpiry = now.plus(settings.lease().dividedBy(4));
                }
                int free = Math.min(room.availablePermits(), MAX_BATCH);
                List<Task> claimed = free == 0 ? List.of() : store.claim(settings.owner(), free, now, settings.lease());
                for (Task task : claimed) {
                    room.acquireUninterruptibly();
                    unended.register();
                    start(task);
                }
                if (free == 0 || claimed.size() < free) {
                    // Full, or nothing more is due: a run that ends, an enqueue, or the poll wakes us;
                    // never later than the next renewal, which the running tasks' leases depend on.
                    long untilRenewal = Duration.between(clock.instant(), nextRenewal).toNanos();
                    LockSupport.parkNanos(Math.max(0, Math.min(settings.idlePoll().toNanos(), untilRenewal)));
                }
            } catch (RuntimeException e) {
                LOG.error("claiming tasks failed; trying again in {} ms", settings.idlePoll().toMillis(), e);
                LockSupport.parkNanos(settings.idlePoll().toNanos());
            }
        }
    }

    /** Runs a claimed task on a virtual thread of its own; its slot and its place in {@link #unended} are taken. */
    private void start(Task task) {
        Thread thread = Thread.ofVirtual().name("task-" + task.kind() + "-" + task.id()).unstarted(() -> run(task));
        running.put(thread, task); // before it starts: a run that ends at once removes itself
        thread.start();
    }

    private void renewLeases(Instant now) {
        Map<TaskId, Long> held = new HashMap<>();
        running.values().forEach(task -> held.put(task.id(), task.fencingToken()));
        Set<TaskId> lost = store.renew(held, now.plus(settings.lease()));
        if (!lost.isEmpty()) {
            running.forEach((thread, task) -> {
                // Interrupted once: no longer renewed, so the next renewal does not report it again.
                if (lost.contains(task.id()) && running.remove(thread, task)) {
                    LOG.warn("task {}: attempt {} lost its lease to another run; interrupting it", task.id(), task.attempts());
                    thread.interrupt();
                }
            });
        }
    }

    private void run(Task task) {
        long started = System.nanoTime();
        boolean slotHeld = true;
        try {
            TaskOutcome outcome = outcome(task);
            running.remove(Thread.currentThread()); // its lease needs no renewal for the end's short write
            // The slot bounds running handlers; the end only waits for the next group commit, and holding
            // the slot through that wait would cap the tasks run per commit at the concurrency.
            room.release();
            slotHeld = false;
            wake();
            // An interrupt was meant for the handler (its lease was lost, or the runtime stops); the end
            // is recorded all the same, and an interrupted thread could not wait for the write.
            Thread.interrupted();
            Ending ending = ending(task, outcome);
            boolean recorded;
            try {
                recorded = store.end(task.id(), task.fencingToken(), ending, clock.instant());
            } catch (RuntimeException e) {
                String lost = switch (ending) {
                    case Ending.Completed c when !c.next().isEmpty() || !c.contextWrites().isEmpty() ->
                            "completed, but its next tasks or context values could not be saved: ";
                    case Ending.DeadLetter d when !d.next().isEmpty() -> d.reason() + "; and the tasks that handle its failure could not be saved: ";
                    default -> throw e;
                };
                // Its next tasks or context values could not be written (a task's id is taken, say): run again, it would end
                // the same way each time its lease expired. A dead letter says why and can be retried;
                // if the store itself is failing, this write fails too and the lease decides.
                ending = new Ending.DeadLetter(lost + e.getMessage());
                recorded = store.end(task.id(), task.fencingToken(), ending, clock.instant());
            }
            metrics.taskRun(task.kind(), recorded ? endingName(ending) : "stale", System.nanoTime() - started);
            if (!recorded) {
                LOG.warn("task {}: its attempt {} ended after its lease did; another run owns it now",
                        task.id(), task.attempts());
            } else if (!(ending instanceof Ending.Retry)) {
                notifyFinished(task.id());
            }
        } catch (RuntimeException | Error e) {
            LOG.error("task {}: the end of attempt {} could not be recorded; the task runs again when its lease expires",
                    task.id(), task.attempts(), e);
        } finally {
            running.remove(Thread.currentThread());
            if (slotHeld) {
                room.release();
            }
            unended.arriveAndDeregister();
            wake();
        }
    }

    private TaskOutcome outcome(Task task) {
        Handler handler = handlers.get(task.kind());
        if (handler == null) {
            return new TaskOutcome.Dead("no handler for tasks of kind '" + task.kind() + "'");
        }
        try {
            if (task.attempts() > task.maxAttempts()) { // its last attempt's lease expired: see TaskStore.expireLeases
                return new TaskOutcome.Dead("its last attempt ended with its worker; " + task.error(),
                        handler.ifLostForGood(task));
            }
            TaskOutcome outcome = handler.run(task);
            return outcome == null ? new TaskOutcome.Failed("the handler returned no outcome") : outcome;
        } catch (InterruptedException e) {
            return new TaskOutcome.Failed("interrupted: the runtime is stopping, or the run lost its lease");
        } catch (Exception | Error e) { // an Error too (a script's stack overflow): the task must not be stranded
            return new TaskOutcome.Failed(e.toString());
        }
    }

    private Ending ending(Task task, TaskOutcome outcome) {
        return switch (outcome) {
            case TaskOutcome.Done done -> new Ending.Completed(done.output(), done.next(), done.contextWrites());
            case TaskOutcome.RetryAt retry -> new Ending.Retry(retry.at(), retry.reason());
            case TaskOutcome.Dead dead -> new Ending.DeadLetter(dead.reason(), dead.next());
            case TaskOutcome.Failed failed when task.attempts() >= task.maxAttempts() ->
                    new Ending.DeadLetter("failed " + task.attempts() + " times; the last: " + failed.reason(), failed.ifDead());
            case TaskOutcome.Failed failed -> new Ending.Retry(
                    clock.instant().plus(settings.backoff().delay(task.attempts(), random)), failed.reason());
        };
    }

    private static String endingName(Ending ending) {
        return switch (ending) {
            case Ending.Completed c -> "completed";
            case Ending.Retry r -> "retry";
            case Ending.DeadLetter d -> "dead_letter";
        };
    }

    /** Tasks running now. */
    public int running() {
        return running.size();
    }

    /**
     * Stops claiming and waits a little for running tasks and the writes that end them; runs still
     * going are interrupted, and run again (their leases expire) after a restart.
     */
    @Override
    public void close() {
        closed = true;
        wake();
        try {
            claimer.join(STOP_WAIT.toMillis());
            if (!room.tryAcquire(settings.concurrency(), STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                running.keySet().forEach(Thread::interrupt);
            }
            unended.awaitAdvanceInterruptibly(unended.arrive(), STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOG.warn("{} task attempts had not ended when the runtime stopped; their leases will expire", unended.getUnarrivedParties());
        }
    }
}
