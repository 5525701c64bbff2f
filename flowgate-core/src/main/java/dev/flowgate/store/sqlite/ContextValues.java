package dev.flowgate.store.sqlite;

import dev.flowgate.task.TaskId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/**
 * The values flows save per context ({@code set_context}), in {@code context_values}: written in
 * the transaction that completes the task that saved them, and only then.
 */
final class ContextValues {
    private ContextValues() {
    }

    /** Saves the values for the context of task {@code id} (none when it has no context). */
    static void save(Connection c, TaskId id, Map<String, String> writes, long nowMillis) throws SQLException {
        if (writes.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO context_values (context_id, key, value, updated_at)
                SELECT context_id, ?, ?, ? FROM tasks WHERE id = ? AND context_id IS NOT NULL
                ON CONFLICT (context_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at""")) {
            for (Map.Entry<String, String> write : writes.entrySet()) {
                s.setString(1, write.getKey());
                s.setString(2, write.getValue());
                s.setLong(3, nowMillis);
                s.setString(4, id.toString());
                s.executeUpdate();
            }
        }
    }

    /** The value saved last under {@code key} for {@code contextId}. */
    static Optional<String> read(SqliteDatabase database, String contextId, String key) {
        return database.read("SELECT value FROM context_values WHERE context_id = ? AND key = ?", s -> {
            s.setString(1, contextId);
            s.setString(2, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        });
    }
}
