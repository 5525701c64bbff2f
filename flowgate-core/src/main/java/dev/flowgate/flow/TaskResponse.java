package dev.flowgate.flow;

import dev.flowgate.task.Task;
import dev.flowgate.task.TaskId;
import java.util.Optional;

/** How waiting for a submitted task ended. */
public sealed interface TaskResponse {
    TaskId id();

    /** It completed: its output is in the task. */
    record Completed(Task task) implements TaskResponse {
        @Override
        public TaskId id() {
            return task.id();
        }
    }

    /** It failed for good (a dead letter, status error): why, and the script's line, is in its error. */
    record Failed(Task task) implements TaskResponse {
        @Override
        public TaskId id() {
            return task.id();
        }
    }

    /** The timeout passed first; the task, as it was then, runs on. */
    record TimedOut(TaskId id, Optional<Task> lastSeen) implements TaskResponse {
    }

    /** The store did not take the task: nothing runs. */
    record NotQueued(TaskId id, String reason) implements TaskResponse {
    }

    /** A finished task's response. */
    static TaskResponse of(Task task) {
        return switch (task.status()) {
            case COMPLETED -> new Completed(task);
            case ERROR -> new Failed(task);
            case PENDING, PROCESSING -> throw new IllegalArgumentException("task " + task.id() + " has not finished");
        };
    }
}
