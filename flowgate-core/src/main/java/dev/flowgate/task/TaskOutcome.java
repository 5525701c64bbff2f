package dev.flowgate.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** How a handler's run of a task ended; the runtime records it with the task's fencing token. */
public sealed interface TaskOutcome {
    /**
     * Completed; {@code output} (may be null) is kept with the task, {@code next} is enqueued and
     * {@code contextWrites} (key to JSON text) are saved for the task's context in the same
     * transaction that records the completion: all of it happens, or (a stale end) none.
     */
    record Done(String output, List<NewTask> next, Map<String, String> contextWrites) implements TaskOutcome {
        public Done {
            next = List.copyOf(next);
            contextWrites = Map.copyOf(contextWrites);
            if (next.stream().map(NewTask::id).distinct().count() < next.size()) {
                throw new IllegalArgumentException("two next tasks have the same id: " + next);
            }
        }

        public Done(String output) {
            this(output, List.of(), Map.of());
        }

        public Done(String output, List<NewTask> next) {
            this(output, next, Map.of());
        }
    }

    /** Not now: run it again at {@code at} (an attempt is still counted: a claim is one). */
    record RetryAt(Instant at, String reason) implements TaskOutcome {
        public RetryAt {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * This attempt failed: retried with backoff while attempts remain, then a dead letter, and only
     * then are {@code ifDead} enqueued, in the transaction that records it (a flow's error handler).
     */
    record Failed(String reason, List<NewTask> ifDead) implements TaskOutcome {
        public Failed {
            Objects.requireNonNull(reason, "reason");
            ifDead = List.copyOf(ifDead);
        }

        public Failed(String reason) {
            this(reason, List.of());
        }
    }

    /** Failed for good, whatever attempts remain: a dead letter at once, enqueuing {@code next} with it. */
    record Dead(String reason, List<NewTask> next) implements TaskOutcome {
        public Dead {
            Objects.requireNonNull(reason, "reason");
            next = List.copyOf(next);
        }

        public Dead(String reason) {
            this(reason, List.of());
        }
    }
}
