package dev.flowgate.flow;

import dev.flowgate.task.TaskId;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A run of a flow with steps as its step tasks record it: nothing is kept beside them, so what this
 * says is what the tasks' own transactions committed.
 *
 * @param currentStep the step that runs, or waits to, or failed; null once every step completed
 * @param error       why the flow failed, else null
 */
public record FlowRun(TaskId id, String name, String workerId, String contextId, String callerId, Status status,
                      String currentStep, List<StepRun> steps, String error, Instant createdAt, Instant finishedAt) {
    /** A flow's state, and a step's. */
    public enum Status {
        /** Not started yet. */
        CREATED,
        /** Started: running, or waiting for its retry. */
        RUNNING,
        COMPLETED,
        /** A step failed past its retries. */
        FAILED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One step of the run.
     *
     * @param taskId  the step's task
     * @param output  what it returned (its script's completion value) as JSON text, once completed, else null
     * @param printed what it printed, once completed, else null
     */
    public record StepRun(String name, TaskId taskId, Status status, String output, String printed, String error,
                          int attempts, Instant startedAt, Instant finishedAt) {
    }

    public FlowRun {
        steps = List.copyOf(steps);
    }
}
