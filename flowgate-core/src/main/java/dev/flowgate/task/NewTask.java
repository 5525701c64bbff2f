package dev.flowgate.task;

import java.time.Instant;
import java.util.Objects;

/**
 * A task to enqueue.
 *
 * @param kind        which handler runs it ({@code flow}, {@code stripe}, ...): letters, digits, {@code .-_}
 * @param payload     what the handler needs, as the handler reads it (JSON by convention); never a secret
 * @param workerId    the seeds' worker id: whose queue it is on
 * @param contextId   tasks of one context run one at a time, in the order they were enqueued; null: no order
 * @param callerId    who asked for it, for the handler and for listing
 * @param priority    higher runs first among tasks that are due
 * @param dueAt       not before this instant
 * @param maxAttempts attempts before a failing task becomes a dead letter; at least 1
 */
public record NewTask(TaskId id, String kind, String payload, String workerId, String contextId, String callerId,
                      int priority, Instant dueAt, int maxAttempts) {
    /** The longest id (worker, context, caller) a task accepts. */
    public static final int MAX_ID_LENGTH = 200;
    public static final int DEFAULT_MAX_ATTEMPTS = 10;

    public NewTask {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(dueAt, "dueAt");
        if (kind == null || kind.isEmpty() || kind.length() > 64 || !kind.chars().allMatch(NewTask::isNameChar)) {
            throw new IllegalArgumentException("kind must be 1 to 64 letters, digits, '.', '-' or '_'");
        }
        checkId("workerId", workerId, false);
        checkId("contextId", contextId, true);
        checkId("callerId", callerId, false);
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
    }

    private static boolean isNameChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    }

    /**
     * Checks a worker, context or caller id as tasks accept it: 1 to {@value #MAX_ID_LENGTH}
     * printable ASCII characters without spaces.
     *
     * @throws IllegalArgumentException naming {@code name}
     */
    public static void checkId(String name, String value, boolean nullable) {
        if (value == null) {
            if (!nullable) {
                throw new IllegalArgumentException(name + " is required");
            }
            return;
        }
        if (value.isEmpty() || value.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(name + " must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        if (!value.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new IllegalArgumentException(name + " must be printable ASCII without spaces");
        }
    }
}
