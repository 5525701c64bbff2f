package dev.flowgate.flow;

import dev.flowgate.task.NewTask;
import dev.flowgate.task.Task;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskOutcome;
import dev.flowgate.task.TaskRuntime;
import dev.flowgate.task.TaskStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks of kind {@value #KIND}: a flow from the flows directory or an inline script, in the
 * sandbox, on the task's worker and context. A run that completes completes its task, and in the
 * same transaction saves what it wrote with {@code set_context} and enqueues what it asked for
 * with {@code dispatch} (a flow task on the same worker and context, its data as {@code input});
 * a run that fails fails its attempt, retried by the task's policy. A flow that does not exist is
 * not an error: the task completes having done nothing, and the log says so once per flow.
 */
public final class FlowTasks implements TaskRuntime.Handler {
    public static final String KIND = "flow";
    /** The caller id of tasks that a flow's {@code dispatch} enqueued. */
    public static final String DISPATCH_CALLER = "flow";
    private static final Logger LOG = LoggerFactory.getLogger(FlowTasks.class);

    private final ScriptSandbox sandbox;
    private final Path flowsDir;
    private final TaskStore store;
    private final Clock clock;
    private final RandomGenerator random;
    private final Set<String> missingLogged = ConcurrentHashMap.newKeySet();

    public FlowTasks(ScriptSandbox sandbox, Path flowsDir, TaskStore store, Clock clock, RandomGenerator random) {
        this.sandbox = sandbox;
        this.flowsDir = flowsDir;
        this.store = store;
        this.clock = clock;
        this.random = random;
    }

    /** A new task that runs {@code request} on that worker and context. */
    public NewTask task(FlowRequest request, String workerId, String contextId, String callerId) {
        return task(null, request, workerId, contextId, callerId, NewTask.DEFAULT_MAX_ATTEMPTS);
    }

    /**
     * A new task with the id {@code id} (null: a new one) that runs {@code request} on that worker and
     * context, tried at most {@code maxAttempts} times.
     */
    public NewTask task(TaskId id, FlowRequest request, String workerId, String contextId, String callerId, int maxAttempts) {
        return new NewTask(id != null ? id : TaskId.generate(clock.millis(), random), KIND, request.toJson(), workerId,
                contextId, callerId, 0, clock.instant(), maxAttempts);
    }

    /**
     * The task of the first step of a new run of {@code definition} on that worker and context; the
     * run's id (and the task's) is {@code runId}, or a new one when it is null.
     */
    public NewTask flowStart(TaskId runId, FlowDefinition definition, String inputJson, String workerId, String contextId,
                             String callerId) {
        TaskId id = runId != null ? runId : TaskId.generate(clock.millis(), random);
        return StepTasks.firstStep(new FlowStart(id, definition, inputJson), workerId, contextId, callerId, clock.instant());
    }

    @Override
    public TaskOutcome run(Task task) {
        FlowRequest request;
        try {
            request = FlowRequest.parse(task.payload());
        } catch (IllegalArgumentException e) {
            return new TaskOutcome.Dead(e.getMessage()); // no retry will make a malformed payload run
        }
        ScriptEnvironment environment = new ScriptEnvironment(task.workerId(), task.contextId(), task.callerId(),
                task.id().toString(), request.globals(), (contextId, key) -> store.contextValue(contextId, key).orElse(null));
        ScriptResult result;
        if (request.flow() != null) {
            Path file = flowsDir.resolve(request.flow() + ".js");
            if (!Files.isRegularFile(file)) {
                if (missingLogged.add(request.flow())) {
                    LOG.info("no flow {} in {}: its tasks complete doing nothing", request.flow(), flowsDir);
                }
                return new TaskOutcome.Done("no flow " + request.flow());
            }
            result = sandbox.runFile(file, environment);
        } else {
            result = sandbox.run("task " + task.id(), request.script(), environment);
        }
        return switch (result) {
            case ScriptResult.Completed done -> new TaskOutcome.Done(done.output(), next(task, done), done.contextWrites());
            case ScriptResult.Failed failed -> new TaskOutcome.Failed(
                    failed.line() > 0 ? failed.message() + " (line " + failed.line() + ")" : failed.message());
        };
    }

    /**
     * The tasks a completed run of {@code task} asked for, on its worker and context: its dispatches,
     * then the first steps of the flows it started, in the order it asked.
     */
    List<NewTask> next(Task task, ScriptResult.Completed done) {
        List<NewTask> next = new ArrayList<>(done.dispatches().size() + done.flowStarts().size());
        for (ScriptResult.Dispatch dispatch : done.dispatches()) {
            next.add(task(FlowRequest.ofFlow(dispatch.flow(), Map.of("input", dispatch.dataJson())), task.workerId(),
                    task.contextId(), DISPATCH_CALLER));
        }
        for (FlowStart start : done.flowStarts()) {
            next.add(StepTasks.firstStep(start, task.workerId(), task.contextId(), DISPATCH_CALLER, clock.instant()));
        }
        return next;
    }
}
