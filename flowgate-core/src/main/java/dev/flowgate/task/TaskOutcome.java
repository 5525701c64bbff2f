package dev.flowgate.task;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** How a handler's run of a task ended; the runtime records it with the task's fencing token. */
public sealed interface TaskOutcome {
    /**
     * Completed; {@code output} (may be null) is kept with the task, and {@code next} is enqueued in
     * the same transaction that records the completion: both happen, or (a stale end) neither.
     */
    record Done(String output, List<NewTask> next) implements TaskOutcome {
        public Done {
            next = List.copyOf(next);
            if (next.stream().map(NewTask::id).distinct().count() < next.size()) {
                throw new IllegalArgumentException("two next tasks have the same id: " + next);
            }
        }

        public Done(String output) {
            this(output, List.of());
        }
    }

    /** Not now: run it again at {@code at} (an attempt is still counted: a claim is one). */
    record RetryAt(Instant at, String reason) implements TaskOutcome {
        public RetryAt {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** This attempt failed: retried with backoff while attempts remain, then a dead letter. */
    record Failed(String reason) implements TaskOutcome {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Failed for good, whatever attempts remain: a dead letter at once. */
    record Dead(String reason) implements TaskOutcome {
        public Dead {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
