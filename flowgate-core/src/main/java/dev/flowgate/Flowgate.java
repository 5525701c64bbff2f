package dev.flowgate;

import dev.flowgate.http.client.HttpClient;
import dev.flowgate.flow.Dispatcher;
import dev.flowgate.flow.FlowTasks;
import dev.flowgate.flow.FlowRun;
import dev.flowgate.flow.PaymentFlows;
import dev.flowgate.flow.StepTasks;
import dev.flowgate.flow.ScriptLimits;
import dev.flowgate.flow.ScriptSandbox;
import dev.flowgate.intake.Intake;
import dev.flowgate.ledger.Ledger;
import dev.flowgate.ledger.Totals;
import dev.flowgate.metrics.Metrics;
import dev.flowgate.payment.AcceptResult;
import dev.flowgate.payment.Payment;
import dev.flowgate.payment.PaymentRecord;
import dev.flowgate.payment.PaymentState;
import dev.flowgate.processor.HttpProcessorClient;
import dev.flowgate.processor.ProcessorClient;
import dev.flowgate.routing.CostRouter;
import dev.flowgate.routing.HealthPoller;
import dev.flowgate.routing.PollerLease;
import dev.flowgate.routing.Router;
import dev.flowgate.settlement.PaymentTask;
import dev.flowgate.settlement.RetryResult;
import dev.flowgate.settlement.Settlement;
import dev.flowgate.store.Journal;
import dev.flowgate.store.sqlite.SqliteStore;
import dev.flowgate.task.NewTask;
import dev.flowgate.task.Task;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskQuery;
import dev.flowgate.task.TaskRuntime;
import dev.flowgate.task.TaskStore;
import dev.flowgate.work.Backoff;
import dev.flowgate.work.WorkQueue;
import dev.flowgate.work.WorkerPool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * A running Flowgate engine: the composition root. Everything it uses is built here from the
 * configuration and owned by this instance, so several engines can live in one JVM.
 *
 * <p>{@link #start} opens the journal, queues every unfinished payment again (pinned ones are
 * reconciled first) and starts the workers.
 */
public final class Flowgate implements AutoCloseable {
    private final FlowgateConfig config;
    private final Clock clock;
    private final SqliteStore store;
    private final Journal journal;
    private final Ledger ledger;
    private final HttpClient http;
    private final Router router;
    private final WorkQueue<PaymentTask> queue;
    private final WorkerPool workers;
    private final Intake intake;
    private final HealthPoller healthPoller;
    private final TaskStore tasks;
    private final TaskRuntime taskRuntime;
    private final ScriptSandbox sandbox;
    private final FlowTasks flows;

    /** A health answer slower than this is "unknown": the processor is then busy, not healthy. */
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(1);
    /** Tasks running at once, at most: they mostly wait on the network (Stripe, webhooks). */
    private static final int TASK_CONCURRENCY = 64;
    private static final Duration TASK_LEASE = Duration.ofSeconds(30);
    private static final Duration TASK_POLL = Duration.ofSeconds(1);
    /** A task's failed attempts wait 1 s, doubling to 10 min: a task's own policy, not a payment's. */
    private static final Backoff TASK_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10));

    private Flowgate(FlowgateConfig config, Clock clock, Metrics metrics) {
        this.config = config;
        this.clock = clock;
        this.store = SqliteStore.open(config.dataDir(), config.durability(), clock);
        this.journal = store.journal();
        this.ledger = store.ledger();
        this.queue = new WorkQueue<>(clock);
        this.http = HttpClient.builder().connectTimeout(config.connectTimeout())
                .requestTimeout(config.processorTimeout()).build();
        List<HttpProcessorClient> clients = config.processors().stream()
                .map(p -> new HttpProcessorClient(p.name(), p.baseUri(), http, config.processorTimeout()))
                .toList();
        List<CostRouter.Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            candidates.add(new CostRouter.Candidate(clients.get(i), config.processors().get(i).fee()));
        }
        CostRouter costRouter = new CostRouter(candidates, config.routing(), clock, queue::wakeAll);
        this.router = costRouter;
        this.healthPoller = new HealthPoller(List.copyOf(clients), PollerLease.solo(), costRouter.healthBoard(),
                config.routing().healthInterval(), HEALTH_TIMEOUT, clock);
        this.intake = new Intake(journal, payment -> queue.offer(PaymentTask.fresh(payment)), metrics);
        resumeUnfinished();
        // Shared by the workers' virtual threads: each call draws from its own thread's generator.
        RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
        this.tasks = store.tasks();
        // Each capability that runs as tasks registers its kinds here (Stripe operations and webhooks
        // will); a task of an unknown kind becomes a dead letter that says so.
        this.sandbox = new ScriptSandbox(ScriptLimits.DEFAULT);
        this.flows = new FlowTasks(sandbox, config.flowsDir(), tasks, clock, random);
        Map<String, TaskRuntime.Handler> handlers = Map.of(FlowTasks.KIND, flows,
                StepTasks.KIND, new StepTasks(sandbox, config.flowsDir(), tasks, flows, clock));
        this.taskRuntime = new TaskRuntime(tasks, handlers,
                new TaskRuntime.Settings("flowgate-" + ProcessHandle.current().pid(), TASK_CONCURRENCY, TASK_LEASE,
                        TASK_POLL, TASK_BACKOFF), clock, random, metrics);
        Backoff backoff = new Backoff(config.backoffBase(), config.backoffCap());
        Settlement settlement = new Settlement(journal, router, backoff, clock, random, metrics,
                new PaymentFlows(flows, taskRuntime, config.flowsDir()));
        this.workers = new WorkerPool("flowgate-settlement", config.workers(), queue, settlement, clock);
    }

    public static Flowgate start(FlowgateConfig config) {
        return start(config, Metrics.NONE);
    }

    /** With {@code metrics} told of every intake, attempt and task run. */
    public static Flowgate start(FlowgateConfig config, Metrics metrics) {
        return new Flowgate(config, Clock.systemUTC(), metrics);
    }

    private void resumeUnfinished() {
        for (PaymentRecord record : journal.unfinished()) {
            queue.offer(task(record));
        }
    }

    private static PaymentTask task(PaymentRecord record) {
        // IN_FLIGHT after a restart means an attempt may have been sent: reconcile it there.
        String pinned = record.state() == PaymentState.IN_FLIGHT || record.pinned() ? record.processor() : null;
        return PaymentTask.resumed(new Payment(record.correlationId(), record.amountCents()), pinned);
    }

    /** Journals the payment (durably) and queues it; see {@link Intake#accept}. */
    public AcceptResult accept(Payment payment) {
        return intake.accept(payment);
    }

    /** Settled totals per configured processor (zeros included) for {@code requestedAt} in [from, to]. */
    public Map<String, Totals> summary(Instant from, Instant to) {
        Map<String, Totals> settled = ledger.summary(from, to);
        Map<String, Totals> result = new LinkedHashMap<>();
        for (ProcessorConfig p : config.processors()) {
            result.put(p.name(), settled.getOrDefault(p.name(), Totals.ZERO));
        }
        settled.forEach(result::putIfAbsent);
        return result;
    }

    public Optional<PaymentRecord> find(UUID correlationId) {
        return journal.find(correlationId);
    }

    /** One page of payments in {@code state}, in correlation id order, after {@code after} (null: the first page). */
    public List<PaymentRecord> list(PaymentState state, UUID after, int limit) {
        return journal.list(state, after, limit);
    }

    /** Queues a failed payment again, for an operator who fixed what made it fail. */
    public RetryResult retry(UUID correlationId) {
        Optional<PaymentRecord> requeued = journal.requeueFailed(correlationId);
        if (requeued.isPresent()) {
            queue.offer(task(requeued.get()));
            return new RetryResult.Requeued(requeued.get());
        }
        return journal.find(correlationId)
                .<RetryResult>map(record -> new RetryResult.NotFailed(record.state()))
                .orElseGet(RetryResult.NotFound::new);
    }

    /**
     * Queues a task for the runtime; the future completes once it is durable. A kind that no
     * capability handles ends as a dead letter that says so.
     */
    public CompletableFuture<Void> enqueue(NewTask task) {
        return taskRuntime.enqueue(task, TaskStore.Commit.NOW);
    }

    /**
     * A dispatcher for one caller, worker and context, as the seeds use theirs:
     * {@code flowgate.dispatcher().callerId("api").workerId("payment-worker-1").contextId("context-123").build()}.
     */
    public Dispatcher.Builder dispatcher() {
        return Dispatcher.builder(flows, taskRuntime, tasks);
    }

    public Optional<Task> task(TaskId id) {
        return tasks.find(id);
    }

    /** The run of a flow with steps whose id is {@code id}, as its step tasks have it. */
    public Optional<FlowRun> flowRun(TaskId id) {
        return StepTasks.find(tasks, id);
    }

    /** One page of the tasks {@code query} matches, in id order, after {@code after} (null: the first page). */
    public List<Task> tasks(TaskQuery query, TaskId after, int limit) {
        return tasks.list(query, after, limit);
    }

    /**
     * Takes a dead letter back to pending, due now, for an operator who fixed what made it fail.
     *
     * @return the task as now pending, or empty if it is unknown or not a dead letter
     */
    public Optional<Task> retryTask(TaskId id) {
        Optional<Task> requeued = tasks.retry(id, clock.instant());
        requeued.ifPresent(task -> taskRuntime.wake());
        return requeued;
    }

    /** Forgets every payment, queued ones included. Attempts already on the wire still complete. */
    public void purge() {
        queue.clear();
        journal.purge();
    }

    public EngineStatus status() {
        return new EngineStatus(queue.size(), workers.busy(), router.status());
    }

    public FlowgateConfig config() {
        return config;
    }

    /** Stops the workers and closes the journal; unfinished payments resume at the next start. */
    @Override
    public void close() {
        healthPoller.close();
        workers.close(); // first: settlement queues the payment flows' tasks
        taskRuntime.close();
        sandbox.close();
        store.close();
        http.close();
    }
}
