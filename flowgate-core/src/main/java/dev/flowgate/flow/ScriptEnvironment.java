package dev.flowgate.flow;

import java.util.Map;
import java.util.Objects;

/**
 * What a run of a script sees beside the standard objects: the seeds' ids as {@code WORKER_ID},
 * {@code CONTEXT_ID}, {@code CALLER_ID} and {@code TASK_ID}, named values given as JSON (for example
 * {@code input}, {@code parsed_data}), and the context's saved values for {@code get_context}.
 *
 * @param contextId null when the run has no context: {@code get_context} and {@code set_context} then refuse
 * @param values    global name to JSON text; each becomes a plain JavaScript value
 * @param saved     reads a value the context saved earlier (JSON text), or null
 */
public record ScriptEnvironment(String workerId, String contextId, String callerId, String taskId,
                                Map<String, String> values, SavedContext saved) {
    /** The values a context saved, as the store holds them. */
    @FunctionalInterface
    public interface SavedContext {
        /** The JSON text saved under {@code key} for {@code contextId}, or null. */
        String get(String contextId, String key);

        SavedContext NONE = (contextId, key) -> null;
    }

    public ScriptEnvironment {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(callerId, "callerId");
        Objects.requireNonNull(taskId, "taskId");
        values = Map.copyOf(values);
        Objects.requireNonNull(saved, "saved");
    }
}
