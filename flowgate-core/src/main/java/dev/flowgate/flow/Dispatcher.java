package dev.flowgate.flow;

import dev.flowgate.task.NewTask;
import dev.flowgate.task.Task;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskRuntime;
import dev.flowgate.task.TaskStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The seeds' dispatcher ({@code RhaiDispatcher}): submits scripts and flows as tasks of one caller,
 * worker and context, and reads them back. Immutable and thread-safe; build one per caller,
 * worker and context.
 *
 * <pre>{@code
 * Dispatcher d = flowgate.dispatcher().callerId("api").workerId("payment-worker-1").contextId("context-123").build();
 * Submission s = d.newPlayRequest().script("print('hi')").submit();   // returns at once
 * s.durable().join();                                                  // once the task is committed
 * TaskResponse r = s.awaitResponse();                                  // once it finished, or its timeout
 * }</pre>
 */
public final class Dispatcher {
    /** How long {@link Submission#awaitResponse} waits unless the play request says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The largest script file {@link PlayRequest#scriptPath} reads: a script, not a data file. */
    public static final long MAX_SCRIPT_BYTES = 1 << 20;
    /**
     * How often a waiter reads the task from the store besides being told of its end: another
     * process sharing the store may be the one that runs it.
     */
    private static final Duration STORE_RECHECK = Duration.ofSeconds(1);

    private final FlowTasks flows;
    private final TaskRuntime runtime;
    private final TaskStore store;
    private final String callerId;
    private final String workerId;
    private final String contextId;

    private Dispatcher(Builder builder) {
        this.flows = builder.flows;
        this.runtime = builder.runtime;
        this.store = builder.store;
        this.callerId = builder.callerId;
        this.workerId = builder.workerId;
        this.contextId = builder.contextId;
    }

    /** For the composition root, which owns these; users get a builder from {@code Flowgate.dispatcher()}. */
    public static Builder builder(FlowTasks flows, TaskRuntime runtime, TaskStore store) {
        return new Builder(flows, runtime, store);
    }

    /**
     * The source in {@code file}, as a submission sends it.
     *
     * @throws UncheckedIOException if it cannot be read
     * @throws IllegalArgumentException if it is larger than {@value #MAX_SCRIPT_BYTES} bytes
     */
    public static String readScript(Path file) {
        try {
            if (Files.size(file) > MAX_SCRIPT_BYTES) {
                throw new IllegalArgumentException(file + " is larger than " + MAX_SCRIPT_BYTES + " bytes");
            }
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the script " + file + ": " + e.getMessage(), e);
        }
    }

    public PlayRequest newPlayRequest() {
        return new PlayRequest();
    }

    /**
     * A flow with steps to start on this dispatcher's worker and context:
     * {@code d.newFlow(FlowDefinition.named("onboard").addStep(Step.named("customer").script(..))).input(json).start()}.
     */
    public FlowRequestBuilder newFlow(FlowDefinition definition) {
        return new FlowRequestBuilder(definition);
    }

    /** The flow run {@code id} (the id {@link FlowRequestBuilder#start} returned): its state and each step's. */
    public Optional<FlowRun> getFlowRun(TaskId id) {
        return StepTasks.find(store, id);
    }

    /** The task as it is now: status, output or error (message and script line), ids, attempts and times. */
    public Optional<Task> getTaskStatus(TaskId id) {
        return store.find(id);
    }

    public String callerId() {
        return callerId;
    }

    public String workerId() {
        return workerId;
    }

    public String contextId() {
        return contextId;
    }

    /** Which caller, worker and context a dispatcher submits for; the worker is required. */
    public static final class Builder {
        private final FlowTasks flows;
        private final TaskRuntime runtime;
        private final TaskStore store;
        private String callerId = "api";
        private String workerId;
        private String contextId;

        private Builder(FlowTasks flows, TaskRuntime runtime, TaskStore store) {
            this.flows = Objects.requireNonNull(flows, "flows");
            this.runtime = Objects.requireNonNull(runtime, "runtime");
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Who submits, for the scripts ({@code CALLER_ID}) and for listing; {@code api} unless set. */
        public Builder callerId(String callerId) {
            this.callerId = callerId;
            return this;
        }

        public Builder workerId(String workerId) {
            this.workerId = workerId;
            return this;
        }

        /** Tasks of one context run one at a time, in the order submitted, and share its saved values. */
        public Builder contextId(String contextId) {
            this.contextId = contextId;
            return this;
        }

        /** @throws IllegalArgumentException if an id is missing or not one a task accepts */
        public Dispatcher build() {
            NewTask.checkId("callerId", callerId, false);
            NewTask.checkId("workerId", workerId, false);
            NewTask.checkId("contextId", contextId, true);
            return new Dispatcher(this);
        }
    }

    /** One script or flow to run; not thread-safe, used once. */
    public final class PlayRequest {
        private String script;
        private String flow;
        private String input;
        private TaskId requestId;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxAttempts = NewTask.DEFAULT_MAX_ATTEMPTS;

        private PlayRequest() {
        }

        /**
         * How many times a failed run is tried again (with the runtime's backoff) before the task is
         * a dead letter: 0 to {@value Step#MAX_RETRIES}; {@value NewTask#DEFAULT_MAX_ATTEMPTS} attempts in all unless set.
         */
        public PlayRequest retries(int retries) {
            if (retries < 0 || retries > Step.MAX_RETRIES) {
                throw new IllegalArgumentException("retries are 0 to " + Step.MAX_RETRIES + ": " + retries);
            }
            this.maxAttempts = retries + 1;
            return this;
        }

        public PlayRequest script(String source) {
            this.script = Objects.requireNonNull(source, "source");
            this.flow = null;
            return this;
        }

        /**
         * The script in {@code file}, read now: the task holds the source it was submitted with, so a
         * run after a crash runs the same code.
         *
         * @throws UncheckedIOException if it cannot be read
         * @throws IllegalArgumentException if it is larger than {@value #MAX_SCRIPT_BYTES} bytes
         */
        public PlayRequest scriptPath(Path file) {
            return script(readScript(file));
        }

        /** The flow {@code name}: {@code name.js} in the flows directory, read when the task runs. */
        public PlayRequest flow(String name) {
            this.flow = Objects.requireNonNull(name, "name");
            this.script = null;
            return this;
        }

        /**
         * What the script sees as {@code input}: JSON text.
         *
         * @throws IllegalArgumentException if it is not one JSON value
         */
        public PlayRequest input(String json) {
            this.input = FlowRequest.normalizedJson(json);
            return this;
        }

        /**
         * The task's id, chosen by the caller (a UUID): submitting the same id again enqueues nothing
         * more, so a caller that is not sure its submission landed can submit it again. The first
         * submission's script and input are the ones that run.
         *
         * @throws IllegalArgumentException if it is not a UUID in its canonical form
         */
        public PlayRequest requestId(String id) {
            this.requestId = TaskId.parse(id);
            return this;
        }

        /** How long {@link Submission#awaitResponse} waits; {@link #DEFAULT_TIMEOUT} unless set. */
        public PlayRequest timeout(Duration timeout) {
            if (!timeout.isPositive()) {
                throw new IllegalArgumentException("the timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Queues the task and returns at once; its commit starts at once (it groups with whatever
         * else is being written), and {@link Submission#durable()} completes when it is done.
         *
         * @throws IllegalArgumentException if neither a script nor a flow was given, or the flow's name is not one
         */
        public Submission submit() {
            if (script == null && flow == null) {
                throw new IllegalArgumentException("give a script, a script path or a flow");
            }
            Map<String, String> globals = input == null ? Map.of() : Map.of("input", input);
            FlowRequest request = flow != null ? FlowRequest.ofFlow(flow, globals) : FlowRequest.ofScript(script, globals);
            NewTask task = flows.task(requestId, request, workerId, contextId, callerId, maxAttempts);
            return new Submission(task.id(), runtime.enqueue(task, TaskStore.Commit.NOW), timeout);
        }

        /** {@link #submit()}, then {@link Submission#awaitResponse()}. */
        public TaskResponse awaitResponse() throws InterruptedException {
            return submit().awaitResponse();
        }
    }

    /** One flow with steps to start; not thread-safe, used once. */
    public final class FlowRequestBuilder {
        private final FlowDefinition definition;
        private String input = "null";
        private TaskId runId;

        private FlowRequestBuilder(FlowDefinition definition) {
            if (definition.steps().isEmpty()) {
                throw new IllegalArgumentException("flow '" + definition.name() + "' has no steps");
            }
            this.definition = definition;
        }

        /**
         * What each step sees as {@code input}: JSON text.
         *
         * @throws IllegalArgumentException if it is not one JSON value
         */
        public FlowRequestBuilder input(String json) {
            this.input = FlowRequest.normalizedJson(json);
            return this;
        }

        /** The run's id, chosen by the caller (a UUID): starting the same id again starts nothing more. */
        public FlowRequestBuilder requestId(String id) {
            this.runId = TaskId.parse(id);
            return this;
        }

        /**
         * Queues the flow's first step and returns at once; {@link Submission#id()} is the run's id,
         * for {@link #getFlowRun}, and {@link Submission#awaitResponse()} waits for the first step.
         */
        public Submission start() {
            NewTask first = flows.flowStart(runId, definition, input, workerId, contextId, callerId);
            return new Submission(first.id(), runtime.enqueue(first, TaskStore.Commit.NOW), DEFAULT_TIMEOUT);
        }
    }

    /** A submitted task. */
    public final class Submission {
        private final TaskId id;
        private final CompletableFuture<Void> durable;
        private final Duration timeout;

        private Submission(TaskId id, CompletableFuture<Void> durable, Duration timeout) {
            this.id = id;
            this.durable = durable;
            this.timeout = timeout;
        }

        public TaskId id() {
            return id;
        }

        /** Completes with the id once the task is committed; exceptionally if the store refused it or is closed. */
        public CompletableFuture<TaskId> durable() {
            return durable.thenApply(done -> id);
        }

        /**
         * Waits until the task finished (completed, or failed for good) or the play request's
         * timeout passed, whichever comes first. A failed attempt that will be retried is not the
         * end: that waits on.
         */
        public TaskResponse awaitResponse() throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                durable.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                return new TaskResponse.NotQueued(id, String.valueOf(e.getCause().getMessage()));
            } catch (TimeoutException e) {
                return new TaskResponse.TimedOut(id, Optional.empty());
            }
            while (true) {
                CompletableFuture<Task> finished = runtime.whenFinished(id);
                long left = deadline - System.nanoTime();
                try {
                    return TaskResponse.of(finished.get(Math.min(left, STORE_RECHECK.toNanos()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    runtime.stopWaiting(id, finished);
                    if (deadline - System.nanoTime() <= 0) {
                        return new TaskResponse.TimedOut(id, store.find(id));
                    }
                } catch (ExecutionException e) {
                    return new TaskResponse.NotQueued(id, String.valueOf(e.getCause().getMessage()));
                } catch (InterruptedException e) {
                    runtime.stopWaiting(id, finished);
                    throw e;
                }
            }
        }
    }
}
