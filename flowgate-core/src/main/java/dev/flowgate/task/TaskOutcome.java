package dev.flowgate.task;

import java.time.Instant;
import java.util.Objects;

/** How a handler's run of a task ended; the runtime records it with the task's fencing token. */
public sealed interface TaskOutcome {
    /** Completed; {@code output} (may be null) is kept with the task. */
    record Done(String output) implements TaskOutcome {
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
