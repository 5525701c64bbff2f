package dev.flowgate.store.sqlite;

import dev.flowgate.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of an embedded database: callers hand it writes and block (or get a future)
 * until the transaction that holds them has committed; every write waiting when a commit starts
 * shares it.
 *
 * <p>Why: a SQLite commit writes several pages and syncs them; one per write would cap the rate at
 * a few hundred per second on this disk. Batching whatever arrived while the previous commit ran
 * keeps the wait at about one commit at any load, and a single writer means SQLite never answers
 * "database is locked". Requests do not wait here: new payments wait for the {@link IntakeLog}.
 *
 * <p>Each write runs inside its own savepoint, so one failing write is rolled back alone and
 * reported to its caller while the rest of the batch commits.
 */
final class GroupCommitter implements AutoCloseable {
    /** A unit of work on the writer's connection; runs on the writer thread only. */
    @FunctionalInterface
    interface Write<R> {
        R apply(Connection connection) throws SQLException;
    }

    /** How soon a write must be committed. */
    enum Urgency {
        /** A caller is answering a request on it (purge): commit at once. */
        NOW,
        /**
         * Background work (rows of new payments, a worker's bookkeeping): may wait up to
         * {@link #DEFERRABLE_WAIT_NANOS} for company. Fewer, fuller commits mean fewer fsyncs, and
         * each of them delays the intake log's own fsync on the same disk.
         */
        DEFERRABLE
    }

    private record Pending<R>(Write<R> write, Urgency urgency, CompletableFuture<R> result) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** Bounds one transaction so a burst cannot grow a commit without limit. */
    private static final int MAX_BATCH = 4096;
    /**
     * 25 ms: requests over 3 ms inside the server fell from 1,831 to 1,267 against 5 ms (one
     * compressed contest run each, intake log in place).
     */
    static final long DEFERRABLE_WAIT_NANOS = 25_000_000;

    /**
     * Commits between WAL checkpoints: about 1-2 MB of log here. The checkpoint runs on this thread
     * when no write is waiting, so no writer runs beside it and the log is fully copied back; the
     * next commit then rewrites the log from its start. A checkpoint on another thread never gets
     * there under steady load (the log grew to 785 MB in a minute), and every fsync of a growing
     * file also has to write its new size, which showed up as the tail of intake latency.
     */
    static final int COMMITS_PER_CHECKPOINT = 256;

    private final Connection connection;
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private int commitsSinceCheckpoint;
    private final Thread writer;
    private volatile boolean closed;
    /** Set by a write that must not wait for company (urgent, or a full batch); cleared by the writer. */
    private volatile boolean commitSoon;

    GroupCommitter(Connection connection, String name) {
        this.connection = connection;
        // A platform thread: SQLite is called through JNI, which would pin a virtual thread's carrier.
        this.writer = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** Runs the write in a coming commit and returns its result once that commit is durable. */
    <R> R execute(Urgency urgency, Write<R> write) {
        CompletableFuture<R> result = submit(urgency, write);
        while (true) {
            try {
                return result.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // A write queued just as the writer stopped would otherwise wait forever.
                if (!writer.isAlive() && !result.isDone()) {
                    throw new StoreException("the journal writer has stopped", null);
                }
            } catch (ExecutionException e) {
                throw new StoreException("journal write failed: " + e.getCause().getMessage(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting for the journal", e);
            }
        }
    }

    /**
     * Queues the write for a coming commit without waiting: the future completes once that commit
     * is durable, or exceptionally if the write or the commit fails.
     */
    <R> CompletableFuture<R> submit(Urgency urgency, Write<R> write) {
        if (closed) {
            throw new StoreException("the journal is closed", null);
        }
        CompletableFuture<R> result = new CompletableFuture<>();
        queue.add(new Pending<>(write, urgency, result));
        if (urgency == Urgency.NOW || queue.size() >= MAX_BATCH) {
            commitSoon = true;
            LockSupport.unpark(writer);
        }
        return result;
    }

    private void run() {
        List<Pending<?>> batch = new ArrayList<>();
        try (PreparedStatement savepoint = connection.prepareStatement("SAVEPOINT w");
             PreparedStatement release = connection.prepareStatement("RELEASE w");
             PreparedStatement rollback = connection.prepareStatement("ROLLBACK TO w");
             PreparedStatement checkpoint = connection.prepareStatement("PRAGMA wal_checkpoint(PASSIVE)")) {
            Savepoints savepoints = new Savepoints(savepoint, release, rollback);
            while (!closed || !queue.isEmpty()) {
                Pending<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (first.urgency() == Urgency.DEFERRABLE) {
                    gatherUntilUrgent(System.nanoTime() + DEFERRABLE_WAIT_NANOS);
                }
                queue.drainTo(batch, MAX_BATCH - batch.size());
                commit(batch, savepoints);
                batch.clear();
                // Waits for a quiet moment, unless the load never leaves one.
                commitsSinceCheckpoint++;
                if (commitsSinceCheckpoint >= COMMITS_PER_CHECKPOINT && queue.isEmpty()
                        || commitsSinceCheckpoint >= 4 * COMMITS_PER_CHECKPOINT) {
                    checkpoint(checkpoint);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | RuntimeException | Error e) {
            LOG.error("the journal writer stopped; writes fail until restart", e);
            failAll(batch, e instanceof Exception ex ? ex : new SQLException(e));
        } finally {
            closed = true;
            failAll(new ArrayList<>(queue), new SQLException("the journal is closed"));
        }
    }

    private void checkpoint(PreparedStatement checkpoint) {
        // Reading the result row to its end resets the statement; left open, it would block savepoints.
        try (ResultSet ignored = checkpoint.executeQuery()) {
            commitsSinceCheckpoint = 0;
        } catch (SQLException e) {
            // Retried after the next commit; SQLite keeps the log consistent either way.
        }
    }

    /**
     * Lets writes gather in the queue until an urgent one comes, the batch would be full, or the
     * deadline passes. The writer sleeps through the arrivals instead of waking for each one:
     * taking them one by one made it switch context for every write (a third of its CPU, perf).
     * The queue is looked at on each wake-up too, for a write that raised the flag before it was
     * cleared here (the first write is already out of it, in the batch).
     */
    private void gatherUntilUrgent(long deadlineNanos) throws InterruptedException {
        commitSoon = false;
        for (long left = deadlineNanos - System.nanoTime(); left > 0 && !commitSoon && !closed;
             left = deadlineNanos - System.nanoTime()) {
            if (queue.size() >= MAX_BATCH - 1 || queue.stream().anyMatch(p -> p.urgency() == Urgency.NOW)) {
                return;
            }
            LockSupport.parkNanos(this, left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Compiled once: a savepoint per write would otherwise parse three statements per write. */
    private record Savepoints(PreparedStatement begin, PreparedStatement release, PreparedStatement rollback) {
    }

    private void commit(List<Pending<?>> batch, Savepoints savepoints) {
        List<CompletableFuture<?>> done = new ArrayList<>(batch.size());
        try {
            connection.setAutoCommit(false);
            for (Pending<?> pending : batch) {
                savepoints.begin().execute();
                CompletableFuture<Object> staged = new CompletableFuture<>();
                runStaged(pending, staged);
                if (staged.isCompletedExceptionally()) {
                    savepoints.rollback().execute();
                }
                savepoints.release().execute();
                done.add(staged);
            }
            connection.commit();
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            rollbackQuietly();
            failAll(batch, e);
            return;
        }
        // Only now, after the commit, do callers learn their results.
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), done.get(i));
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void runStaged(Pending pending, CompletableFuture<Object> staged) {
        try {
            staged.complete(pending.write().apply(connection));
        } catch (SQLException | RuntimeException e) {
            staged.completeExceptionally(e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void complete(Pending pending, CompletableFuture<?> staged) {
        staged.whenComplete((value, error) -> {
            if (error != null) {
                pending.result().completeExceptionally(error);
            } else {
                pending.result().complete(value);
            }
        });
    }

    /**
     * Undoes the batch and returns the connection to autocommit. Separate steps: after a disk-full
     * or I/O error SQLite has already rolled back, {@code rollback()} then throws, and the
     * autocommit flag must be reset all the same, or every later savepoint would commit on its own.
     */
    private void rollbackQuietly() {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // Already rolled back by SQLite; the callers learn through their failed futures.
        }
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            LOG.warn("cannot return the journal connection to autocommit: {}", e.getMessage());
        }
    }

    private static void failAll(List<Pending<?>> batch, Exception cause) {
        for (Pending<?> pending : batch) {
            pending.result().completeExceptionally(cause);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
