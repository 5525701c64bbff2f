package dev.flowgate.flow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** How a run of a script ended. */
public sealed interface ScriptResult {
    /** What {@code print} wrote, in order, one line per call. */
    String output();

    /**
     * The script ran to its end.
     *
     * @param valueJson     a step's completion value (its last expression statement's) as JSON text: what
     *                      the step returns; null when the run is not a step's, or has none, or it is a function
     * @param contextWrites what {@code set_context} wrote (key to JSON text, a key's last value, in the
     *                      order keys were first written), to be saved with the task's completion and only then
     * @param dispatches    the flows {@code dispatch} asked for, in order, to be enqueued with the completion
     * @param flowStarts    the flows with steps that {@code new_flow(..).start()} started, in order, likewise
     */
    record Completed(String output, String valueJson, Map<String, String> contextWrites, List<Dispatch> dispatches,
                     List<FlowStart> flowStarts) implements ScriptResult {
        public Completed {
            Objects.requireNonNull(output, "output");
            contextWrites = Collections.unmodifiableMap(new LinkedHashMap<>(contextWrites)); // in the order written
            dispatches = List.copyOf(dispatches);
            flowStarts = List.copyOf(flowStarts);
        }
    }

    /**
     * The script threw, did not compile, or went past a limit.
     *
     * @param line the script's line where it failed, or 0 when not known
     */
    record Failed(String output, String message, int line) implements ScriptResult {
        public Failed {
            Objects.requireNonNull(output, "output");
            Objects.requireNonNull(message, "message");
        }
    }

    /** A flow that {@code dispatch(flow, data)} asked to run next, with its data as JSON text. */
    record Dispatch(String flow, String dataJson) {
        public Dispatch {
            Objects.requireNonNull(flow, "flow");
            Objects.requireNonNull(dataJson, "dataJson");
        }
    }
}
