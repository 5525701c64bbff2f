package dev.flowgate.flow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.flowgate.task.NewTask;
import dev.flowgate.task.Task;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskOutcome;
import dev.flowgate.task.TaskRuntime;
import dev.flowgate.task.TaskStatus;
import dev.flowgate.task.TaskStore;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs flows with steps: each step is a task of kind {@value #KIND} on the flow's worker and
 * context, tried {@code retries + 1} times with the runtime's backoff and its own deadline.
 *
 * <p>A step that completes records its output (its script's completion value) and enqueues the
 * next step in the same transaction, so a step runs only once those before it are committed, and
 * a step that completed never runs again: after a crash, the step that was running runs again
 * (its lease expires) and sees the recorded outputs of the ones before it, as DBOS replays a
 * workflow's recorded steps. A step that fails on its last attempt becomes a dead letter, and the
 * flow's error flow is enqueued with it, in one transaction; retrying that dead letter resumes
 * the flow at that step.
 *
 * <p>The flow's state is read from its step tasks, not kept beside them: step {@code i}'s task id
 * is derived from the run's id (the first step's task id), and the first step's payload holds the
 * definition and the input. What {@link #find} reports is therefore what the steps' own
 * transactions committed, with no second record to drift from it.
 */
public final class StepTasks implements TaskRuntime.Handler {
    public static final String KIND = "step";
    private static final JsonFactory JSON = new JsonFactory();

    private final ScriptSandbox sandbox;
    private final Path flowsDir;
    private final TaskStore store;
    private final FlowTasks flows;
    private final Clock clock;

    public StepTasks(ScriptSandbox sandbox, Path flowsDir, TaskStore store, FlowTasks flows, Clock clock) {
        this.sandbox = sandbox;
        this.flowsDir = flowsDir;
        this.store = store;
        this.flows = flows;
        this.clock = clock;
    }

    /** The task of the flow's first step, due at {@code now}; its id is the run's. */
    public static NewTask firstStep(FlowStart start, String workerId, String contextId, String callerId, Instant now) {
        String payload = json(json -> {
            json.writeStringField("run", start.runId().toString());
            json.writeNumberField("step", 0);
            json.writeFieldName("definition");
            json.writeRawValue(start.definition().toJson());
            json.writeFieldName("input");
            json.writeRawValue(start.inputJson());
        });
        return stepTask(start.runId(), start.definition(), 0, payload, workerId, contextId, callerId, now);
    }

    /** The task id of step {@code index} of run {@code runId}. */
    public static TaskId stepId(TaskId runId, int index) {
        return index == 0 ? runId
                : new TaskId(UUID.nameUUIDFromBytes((runId + "/step/" + index).getBytes(StandardCharsets.UTF_8)));
    }

    private static NewTask stepTask(TaskId runId, FlowDefinition definition, int index, String payload, String workerId,
                                    String contextId, String callerId, Instant now) {
        return new NewTask(stepId(runId, index), KIND, payload, workerId, contextId, callerId, 0, now,
                definition.steps().get(index).retries() + 1);
    }

    /** What a step task's payload says, with the definition and input read from the first step. */
    private record Position(TaskId runId, int index, FlowDefinition definition, String inputJson) {
    }

    @Override
    public TaskOutcome run(Task task) {
        Position at;
        Map<String, String> outputs;
        try {
            at = position(store, task);
            outputs = outputsBefore(at);
        } catch (IllegalArgumentException e) {
            return new TaskOutcome.Dead(e.getMessage()); // no retry will make a malformed flow run
        }
        Step step = at.definition().steps().get(at.index());
        ScriptEnvironment environment = new ScriptEnvironment(task.workerId(), task.contextId(), task.callerId(),
                task.id().toString(), Map.of("input", at.inputJson(), "steps", object(outputs)),
                (contextId, key) -> store.contextValue(contextId, key).orElse(null));
        String name = "flow " + at.definition().name() + " step " + step.name();
        ScriptResult result;
        if (step.script() != null) {
            result = sandbox.runStep(name, step.script(), environment, deadline(step));
        } else {
            Path file = flowsDir.resolve(step.flow() + ".js");
            result = Files.isRegularFile(file) ? sandbox.runStepFile(file, environment, deadline(step))
                    : new ScriptResult.Failed("", "no flow " + step.flow() + " in " + flowsDir, 0);
        }
        return switch (result) {
            case ScriptResult.Completed done when done.valueJson() != null
                    && done.valueJson().length() > sandbox.limits().stringLength() -> failed(task, at, outputs,
                    "the step returned " + done.valueJson().length() + " characters of JSON; at most "
                            + sandbox.limits().stringLength());
            case ScriptResult.Completed done -> completed(task, at, done);
            case ScriptResult.Failed failed -> failed(task, at, outputs,
                    failed.line() > 0 ? failed.message() + " (line " + failed.line() + ")" : failed.message());
        };
    }

    private Duration deadline(Step step) {
        return step.timeout() != null ? step.timeout() : sandbox.limits().deadline();
    }

    private TaskOutcome completed(Task task, Position at, ScriptResult.Completed done) {
        List<NewTask> next = new ArrayList<>();
        int following = at.index() + 1;
        if (following < at.definition().steps().size()) {
            String payload = json(json -> {
                json.writeStringField("run", at.runId().toString());
                json.writeNumberField("step", following);
            });
            next.add(stepTask(at.runId(), at.definition(), following, payload, task.workerId(), task.contextId(),
                    task.callerId(), clock.instant()));
        }
        next.addAll(flows.next(task, done)); // after the next step: a flow's steps go first in its context
        String output = json(json -> {
            json.writeFieldName("value");
            json.writeRawValue(done.valueJson() == null ? "null" : done.valueJson());
            json.writeStringField("printed", done.output());
        });
        return new TaskOutcome.Done(output, next, done.contextWrites());
    }

    /** A failed attempt: retried while the step has retries left; on the last, the error flow runs. */
    private TaskOutcome failed(Task task, Position at, Map<String, String> outputs, String reason) {
        return new TaskOutcome.Failed(reason, List.of(errorFlow(task, at, outputs, reason, task.attempts())));
    }

    /** A step whose last attempt died with its worker fails its flow all the same: its error flow runs. */
    @Override
    public List<NewTask> ifLostForGood(Task task) {
        try {
            Position at = position(store, task);
            return List.of(errorFlow(task, at, outputsBefore(at),
                    "its last attempt ended with its worker; " + task.error(), task.maxAttempts()));
        } catch (IllegalArgumentException e) {
            return List.of(); // a malformed step has no flow to fail
        }
    }

    /** The error flow's task, with {@code parsed_error} saying which step failed, why, and what came before. */
    private NewTask errorFlow(Task task, Position at, Map<String, String> outputs, String reason, int attempts) {
        Step step = at.definition().steps().get(at.index());
        String parsedError = json(json -> {
            json.writeStringField("flow", at.definition().name());
            json.writeStringField("flowRunId", at.runId().toString());
            json.writeStringField("step", step.name());
            json.writeStringField("error", reason);
            json.writeNumberField("attempts", attempts);
            json.writeFieldName("input");
            json.writeRawValue(at.inputJson());
            json.writeFieldName("steps");
            json.writeRawValue(object(outputs));
        });
        return flows.task(FlowRequest.ofFlow(at.definition().errorFlow(), Map.of("parsed_error", parsedError)),
                task.workerId(), task.contextId(), FlowTasks.DISPATCH_CALLER);
    }

    /** The run {@code runId} as its step tasks in {@code store} have it, or empty if there is no such run. */
    public static Optional<FlowRun> find(TaskStore store, TaskId runId) {
        Optional<Task> first = store.find(runId);
        if (first.isEmpty() || !first.get().kind().equals(KIND)) {
            return Optional.empty();
        }
        Position at;
        try {
            at = position(store, first.get());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        List<FlowRun.StepRun> steps = new ArrayList<>();
        FlowRun.Status status = FlowRun.Status.COMPLETED;
        String current = null;
        String error = null;
        Instant finished = null;
        for (int i = 0; i < at.definition().steps().size(); i++) {
            String name = at.definition().steps().get(i).name();
            TaskId id = stepId(runId, i);
            Optional<Task> stepTask = i == 0 ? first : store.find(id);
            FlowRun.StepRun step = stepTask.map(t -> stepRun(name, t))
                    .orElse(new FlowRun.StepRun(name, id, FlowRun.Status.CREATED, null, null, null, 0, null, null));
            steps.add(step);
            if (current == null && step.status() != FlowRun.Status.COMPLETED) {
                current = name;
                status = step.status() == FlowRun.Status.CREATED && i > 0 ? FlowRun.Status.RUNNING : step.status();
                error = step.error() == null ? null : "step " + name + ": " + step.error();
            }
            finished = step.finishedAt();
        }
        Task task = first.get();
        return Optional.of(new FlowRun(runId, at.definition().name(), task.workerId(), task.contextId(), task.callerId(),
                status, current, steps, status == FlowRun.Status.FAILED ? error : null, task.createdAt(),
                status == FlowRun.Status.COMPLETED ? finished : null));
    }

    private static FlowRun.StepRun stepRun(String name, Task task) {
        FlowRun.Status status = switch (task.status()) {
            case PENDING -> task.attempts() == 0 ? FlowRun.Status.CREATED : FlowRun.Status.RUNNING;
            case PROCESSING -> FlowRun.Status.RUNNING;
            case COMPLETED -> FlowRun.Status.COMPLETED;
            case ERROR -> FlowRun.Status.FAILED;
        };
        String value = null;
        String printed = null;
        if (task.status() == TaskStatus.COMPLETED && task.output() != null) {
            Map<String, String> output = fields(task.output());
            value = output.get("value");
            printed = output.containsKey("printed") ? parseString(output.get("printed")) : null;
        }
        return new FlowRun.StepRun(name, task.id(), status, value, printed, task.error(), task.attempts(),
                task.startedAt(), task.finishedAt());
    }

    private static Position position(TaskStore store, Task task) {
        Map<String, String> fields = fields(task.payload());
        String run = fields.get("run");
        String step = fields.get("step");
        if (run == null || step == null) {
            throw new IllegalArgumentException("a step task's payload has 'run' and 'step'");
        }
        TaskId runId = TaskId.parse(parseString(run));
        int index;
        try {
            index = Integer.parseInt(step);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'step' is a step's index: " + step);
        }
        Map<String, String> firstFields = fields;
        if (index != 0) {
            Task first = store.find(runId).orElseThrow(() -> new IllegalArgumentException("the run " + runId + " has no first step"));
            firstFields = fields(first.payload());
        }
        if (!firstFields.containsKey("definition") || !firstFields.containsKey("input")) {
            throw new IllegalArgumentException("the first step of run " + runId + " holds no definition and input");
        }
        FlowDefinition definition = FlowDefinition.parse(firstFields.get("definition"));
        if (index < 0 || index >= definition.steps().size()) {
            throw new IllegalArgumentException("flow '" + definition.name() + "' has no step " + index);
        }
        return new Position(runId, index, definition, firstFields.get("input"));
    }

    /** The recorded outputs of the steps before this one, by step name, as JSON text. */
    private Map<String, String> outputsBefore(Position at) {
        Map<String, String> outputs = new LinkedHashMap<>();
        for (int i = 0; i < at.index(); i++) {
            String name = at.definition().steps().get(i).name();
            Task done = store.find(stepId(at.runId(), i))
                    .filter(t -> t.status() == TaskStatus.COMPLETED && t.output() != null)
                    .orElseThrow(() -> new IllegalArgumentException("step " + name + " of run " + at.runId()
                            + " has not completed, yet the step after it runs"));
            outputs.put(name, fields(done.output()).getOrDefault("value", "null"));
        }
        return outputs;
    }

    /** The top-level fields of a JSON object, each as JSON text. */
    private static Map<String, String> fields(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        try (JsonParser json = JSON.createParser(text)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a step task's payload or output is a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String name = json.currentName();
                json.nextToken();
                fields.put(name, FlowRequest.copyValue(json));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("a step task's payload or output is not JSON: " + e.getMessage());
        }
        return fields;
    }

    private static String parseString(String jsonText) {
        try (JsonParser json = JSON.createParser(jsonText)) {
            if (json.nextToken() != JsonToken.VALUE_STRING) {
                throw new IllegalArgumentException("expected a JSON string: " + jsonText);
            }
            return json.getText();
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
    }

    private static String object(Map<String, String> values) {
        return json(json -> {
            for (Map.Entry<String, String> value : values.entrySet()) {
                json.writeFieldName(value.getKey());
                json.writeRawValue(value.getValue());
            }
        });
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    /** A JSON object with the fields {@code fields} writes. */
    private static String json(Fields fields) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }
}
