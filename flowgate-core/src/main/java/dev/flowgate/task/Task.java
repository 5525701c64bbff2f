package dev.flowgate.task;

import java.time.Instant;

/**
 * A task as the store holds it.
 *
 * @param attempts       how many times it has been claimed
 * @param leaseOwner     the worker holding it while {@code PROCESSING}, else null
 * @param leaseExpiresAt when that lease runs out, else null
 * @param fencingToken   grows with every claim; only the holder of the current one may end the attempt
 * @param output         what the completed run returned, else null
 * @param error          why the last attempt did not complete, else null
 * @param startedAt      when it was first claimed, else null
 * @param finishedAt     when it completed or became a dead letter, else null
 */
public record Task(TaskId id, String kind, String payload, String workerId, String contextId, String callerId,
                   TaskStatus status, int attempts, int maxAttempts, int priority, Instant dueAt,
                   String leaseOwner, Instant leaseExpiresAt, long fencingToken, String output, String error,
                   Instant createdAt, Instant startedAt, Instant finishedAt) {
}
