package dev.flowgate.store.sqlite;

import dev.flowgate.store.sqlite.GroupCommitter.Urgency;
import dev.flowgate.task.NewTask;
import dev.flowgate.task.Task;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskQuery;
import dev.flowgate.task.TaskStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The task store on SQLite. Every change is a write on the single writer thread, so a claim and
 * the ends it races with are serialized without locks: a claim sees every earlier end, and an end
 * carrying a stale fencing token matches no row. Claims commit at once (a worker waits on them),
 * enqueues when their caller asks ({@link Commit}), and ends share the next group commit.
 */
final class SqliteTaskStore implements TaskStore {
    private static final String LIST = """
            SELECT %s FROM tasks
            WHERE id > ?1 AND (?2 IS NULL OR worker_id = ?2) AND (?3 IS NULL OR context_id = ?3)
              AND (?4 IS NULL OR status = ?4)
            ORDER BY id LIMIT ?5""".formatted(TaskRows.COLUMNS);
    private static final Comparator<Task> CLAIM_ORDER = Comparator.comparingInt(Task::priority).reversed()
            .thenComparing(Task::dueAt).thenComparing(Task::id);

    /** What a claim sets: owner, lease expiry, and the time it started if this is its first claim. */
    private static final String CLAIM = """
            UPDATE tasks SET status = 'processing', lease_owner = ?, lease_expires_at = ?,
                fencing_token = fencing_token + 1, attempts = attempts + 1, started_at = COALESCE(started_at, ?)
            """;

    private final SqliteDatabase database;
    private final GroupCommitter committer;
    private final Clock clock;
    private final AtomicLong staleEnds = new AtomicLong();

    SqliteTaskStore(SqliteDatabase database, Clock clock) {
        this.database = database;
        this.committer = database.committer();
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Void> enqueue(NewTask task, Commit commit) {
        long now = clock.millis();
        Urgency urgency = switch (commit) {
            case NOW -> Urgency.NOW;
            case GROUPED -> Urgency.DEFERRABLE;
        };
        return committer.submit(urgency, c -> TaskRows.insert(c, task, now, true)).thenApply(inserted -> null);
    }

    @Override
    public List<Task> claim(String owner, int max, Instant now, Duration lease) {
        long nowMillis = now.toEpochMilli();
        if (!anyDue(nowMillis)) {
            return List.of(); // an idle poll costs a read, not a commit
        }
        return committer.execute(Urgency.NOW, c -> {
            try (PreparedStatement s = c.prepareStatement(CLAIM + """
                    WHERE seq IN (
                        SELECT t.seq FROM tasks t INDEXED BY tasks_claim
                        WHERE t.status = 'pending' AND t.due_at <= ? AND\s""" + first("t") + """
                        ORDER BY t.priority DESC, t.due_at, t.seq LIMIT ?)
                    RETURNING\s""" + TaskRows.COLUMNS)) {
                s.setString(1, owner);
                s.setLong(2, nowMillis + lease.toMillis());
                s.setLong(3, nowMillis);
                s.setLong(4, nowMillis);
                s.setInt(5, max);
                List<Task> claimed = TaskRows.read(s);
                claimed.sort(CLAIM_ORDER); // RETURNING gives rows in no particular order
                return claimed;
            }
        });
    }

    @Override
    public CompletableFuture<Optional<Task>> enqueueAndClaim(NewTask task, String owner, Instant now, Duration lease) {
        long nowMillis = now.toEpochMilli();
        return committer.submit(Urgency.NOW, c -> {
            if (TaskRows.insert(c, task, nowMillis, true) == 0) {
                return Optional.<Task>empty();
            }
            try (PreparedStatement s = c.prepareStatement(CLAIM + """
                    WHERE id = ? AND status = 'pending' AND due_at <= ? AND\s""" + first("tasks") + """
                    RETURNING\s""" + TaskRows.COLUMNS)) {
                s.setString(1, owner);
                s.setLong(2, nowMillis + lease.toMillis());
                s.setLong(3, nowMillis);
                s.setString(4, task.id().toString());
                s.setLong(5, nowMillis);
                return TaskRows.read(s).stream().findFirst();
            }
        });
    }

    /** The task {@code alias} names is the first unfinished one of its context, or has none: it may run. */
    private static String first(String alias) {
        return """
                (%1$s.context_id IS NULL OR NOT EXISTS (
                    SELECT 1 FROM tasks e WHERE e.context_id = %1$s.context_id AND e.seq < %1$s.seq
                      AND e.status IN ('pending', 'processing')))
                """.formatted(alias);
    }

    private boolean anyDue(long nowMillis) {
        return database.read("SELECT 1 FROM tasks WHERE status = 'pending' AND due_at <= ? LIMIT 1", s -> {
            s.setLong(1, nowMillis);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        });
    }

    @Override
    public boolean end(TaskId id, long fencingToken, Ending ending, Instant now) {
        long nowMillis = now.toEpochMilli();
        int changed = committer.execute(Urgency.DEFERRABLE, c -> {
            try (PreparedStatement s = c.prepareStatement(switch (ending) {
                case Ending.Completed done -> """
                        UPDATE tasks SET status = 'completed', output = ?, error = NULL, finished_at = ?,
                            lease_owner = NULL, lease_expires_at = NULL
                        WHERE id = ? AND fencing_token = ? AND status = 'processing'""";
                case Ending.Retry retry -> """
                        UPDATE tasks SET status = 'pending', due_at = ?, error = ?,
                            lease_owner = NULL, lease_expires_at = NULL
                        WHERE id = ? AND fencing_token = ? AND status = 'processing'""";
                case Ending.DeadLetter dead -> """
                        UPDATE tasks SET status = 'error', error = ?, finished_at = ?,
                            lease_owner = NULL, lease_expires_at = NULL
                        WHERE id = ? AND fencing_token = ? AND status = 'processing'""";
            })) {
                switch (ending) {
                    case Ending.Completed done -> {
                        TaskRows.setNullable(s, 1, done.output());
                        s.setLong(2, nowMillis);
                    }
                    case Ending.Retry retry -> {
                        s.setLong(1, retry.at().toEpochMilli());
                        s.setString(2, retry.reason());
                    }
                    case Ending.DeadLetter dead -> {
                        s.setString(1, dead.reason());
                        s.setLong(2, nowMillis);
                    }
                }
                s.setString(3, id.toString());
                s.setLong(4, fencingToken);
                int ended = s.executeUpdate();
                if (ended == 1) {
                    switch (ending) {
                        case Ending.Completed done -> {
                            for (NewTask next : done.next()) {
                                TaskRows.insert(c, next, nowMillis, false);
                            }
                            ContextValues.save(c, id, done.contextWrites(), nowMillis);
                        }
                        case Ending.DeadLetter dead -> {
                            for (NewTask next : dead.next()) {
                                TaskRows.insert(c, next, nowMillis, false);
                            }
                        }
                        case Ending.Retry retry -> {
                        }
                    }
                }
                return ended;
            }
        });
        if (changed == 0) {
            staleEnds.incrementAndGet();
        }
        return changed == 1;
    }

    @Override
    public Optional<String> contextValue(String contextId, String key) {
        return ContextValues.read(database, contextId, key);
    }

    @Override
    public Set<TaskId> renew(Map<TaskId, Long> fencingTokens, Instant until) {
        if (fencingTokens.isEmpty()) {
            return Set.of();
        }
        return committer.execute(Urgency.DEFERRABLE, c -> {
            Set<TaskId> lost = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE tasks SET lease_expires_at = MAX(lease_expires_at, ?)
                    WHERE id = ? AND fencing_token = ? AND status = 'processing'""")) {
                for (Map.Entry<TaskId, Long> held : fencingTokens.entrySet()) {
                    s.setLong(1, until.toEpochMilli());
                    s.setString(2, held.getKey().toString());
                    s.setLong(3, held.getValue());
                    if (s.executeUpdate() == 0) {
                        lost.add(held.getKey());
                    }
                }
            }
            return lost;
        });
    }

    @Override
    public int expireLeases(Instant now) {
        // Instant.MAX: every lease, whenever it runs out (at open, when they are all a dead process's).
        long leasesBefore = now.equals(Instant.MAX) ? Long.MAX_VALUE : now.toEpochMilli();
        long nowMillis = now.equals(Instant.MAX) ? clock.millis() : leasesBefore;
        return committer.execute(Urgency.NOW, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE tasks SET status = 'pending',
                        error = 'the lease of ' || lease_owner || ' expired before it ended attempt ' || attempts,
                        due_at = ?, lease_owner = NULL, lease_expires_at = NULL
                    WHERE status = 'processing' AND lease_expires_at < ?""")) {
                s.setLong(1, nowMillis);
                s.setLong(2, leasesBefore);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Task> find(TaskId id) {
        return database.read("SELECT " + TaskRows.COLUMNS + " FROM tasks WHERE id = ?", s -> {
            s.setString(1, id.toString());
            return TaskRows.read(s).stream().findFirst();
        });
    }

    @Override
    public List<Task> list(TaskQuery query, TaskId after, int limit) {
        return database.read(LIST, s -> {
            s.setString(1, after == null ? "" : after.toString());
            TaskRows.setNullable(s, 2, query.workerId());
            TaskRows.setNullable(s, 3, query.contextId());
            TaskRows.setNullable(s, 4, query.status() == null ? null : query.status().wireName());
            s.setInt(5, limit);
            return TaskRows.read(s);
        });
    }

    @Override
    public Optional<Task> retry(TaskId id, Instant now) {
        int requeued = committer.execute(Urgency.NOW, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE tasks SET status = 'pending', attempts = 0, due_at = ?, finished_at = NULL,
                        error = 'queued again by an operator; it had failed: ' || COALESCE(error, 'no reason recorded')
                    WHERE id = ? AND status = 'error'""")) {
                s.setLong(1, now.toEpochMilli());
                s.setString(2, id.toString());
                return s.executeUpdate();
            }
        });
        return requeued == 1 ? find(id) : Optional.empty();
    }

    @Override
    public long staleEnds() {
        return staleEnds.get();
    }
}
