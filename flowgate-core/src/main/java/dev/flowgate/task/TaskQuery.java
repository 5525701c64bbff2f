package dev.flowgate.task;

/** Which tasks to list; a null field matches every task. */
public record TaskQuery(String workerId, String contextId, TaskStatus status) {
    public static final TaskQuery ALL = new TaskQuery(null, null, null);
}
