package dev.flowgate.task;

import java.util.Locale;

/**
 * Where a task is in its life, named as the seeds' dispatcher names it. PENDING -> PROCESSING
 * (claimed under a lease); PROCESSING -> COMPLETED, back to PENDING (a retry, or its lease
 * expired), or ERROR (a dead letter: it failed for good or used up its attempts). An operator's
 * retry takes an ERROR task back to PENDING.
 */
public enum TaskStatus {
    PENDING, PROCESSING, COMPLETED, ERROR;

    /** The name in the API and the database: {@code pending}, {@code processing}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status a {@link #wireName()} names, or null if it names none. */
    public static TaskStatus fromWireName(String name) {
        for (TaskStatus status : values()) {
            if (status.wireName().equals(name)) {
                return status;
            }
        }
        return null;
    }
}
