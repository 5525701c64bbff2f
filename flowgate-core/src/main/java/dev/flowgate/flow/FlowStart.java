package dev.flowgate.flow;

import dev.flowgate.task.TaskId;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * A flow with steps to start: its run's id (also its first step's task id), what it runs, and its
 * input as JSON text.
 */
public record FlowStart(TaskId runId, FlowDefinition definition, String inputJson) {
    public FlowStart {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(inputJson, "inputJson");
        if (definition.steps().isEmpty()) {
            throw new IllegalArgumentException("flow '" + definition.name() + "' has no steps");
        }
    }

    /**
     * The id of the {@code index}-th flow that the task {@code taskId} starts: the same every time
     * that task runs, so a task run again after a crash starts the same run, not a second one.
     */
    public static TaskId runIdFor(String taskId, int index) {
        return new TaskId(UUID.nameUUIDFromBytes((taskId + "/start/" + index).getBytes(StandardCharsets.UTF_8)));
    }
}
