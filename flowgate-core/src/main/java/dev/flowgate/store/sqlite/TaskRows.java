package dev.flowgate.store.sqlite;

import dev.flowgate.task.NewTask;
import dev.flowgate.task.Task;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A task's row in the {@code tasks} table: how one is inserted, and read back as a {@link Task}. */
final class TaskRows {
    /** Every column a {@link Task} is read from, for {@code SELECT} and {@code RETURNING}. */
    static final String COLUMNS = "id, kind, payload, worker_id, context_id, caller_id, status, attempts, "
            + "max_attempts, priority, due_at, lease_owner, lease_expires_at, fencing_token, output, error, "
            + "created_at, started_at, finished_at";

    private TaskRows() {
    }

    /**
     * Inserts a task inside a write already running on the writer thread: the caller's transaction.
     * With {@code ifAbsent}, a task whose id is stored already is left as it is (a resubmission);
     * without, that fails the write.
     */
    static int insert(Connection c, NewTask task, long nowMillis, boolean ifAbsent) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO tasks (id, kind, payload, worker_id, context_id, caller_id, status, max_attempts,
                                   priority, due_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)""" + (ifAbsent ? " ON CONFLICT (id) DO NOTHING" : ""))) {
            s.setString(1, task.id().toString());
            s.setString(2, task.kind());
            s.setString(3, task.payload());
            s.setString(4, task.workerId());
            setNullable(s, 5, task.contextId());
            s.setString(6, task.callerId());
            s.setInt(7, task.maxAttempts());
            s.setInt(8, task.priority());
            s.setLong(9, task.dueAt().toEpochMilli());
            s.setLong(10, nowMillis);
            return s.executeUpdate();
        }
    }

    /** The tasks a query of {@link #COLUMNS} returns, in its order. */
    static List<Task> read(PreparedStatement s) throws SQLException {
        List<Task> tasks = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                tasks.add(new Task(TaskId.parse(rs.getString("id")), rs.getString("kind"), rs.getString("payload"),
                        rs.getString("worker_id"), rs.getString("context_id"), rs.getString("caller_id"),
                        TaskStatus.fromWireName(rs.getString("status")), rs.getInt("attempts"),
                        rs.getInt("max_attempts"), rs.getInt("priority"), instant(rs, "due_at"),
                        rs.getString("lease_owner"), instant(rs, "lease_expires_at"), rs.getLong("fencing_token"),
                        rs.getString("output"), rs.getString("error"), instant(rs, "created_at"),
                        instant(rs, "started_at"), instant(rs, "finished_at")));
            }
        }
        return tasks;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    static void setNullable(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }
}
