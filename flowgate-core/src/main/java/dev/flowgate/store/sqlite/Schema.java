package dev.flowgate.store.sqlite;

import dev.flowgate.store.StoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The database's schema as numbered migrations: {@code PRAGMA user_version} says how many have run,
 * and opening runs the rest, each in its own transaction with the version it reaches. Append only:
 * a migration that has shipped is never edited, because databases out there have already run it.
 */
final class Schema {
    private static final List<String> MIGRATIONS = List.of(
            // 1: payments and the ledger. IF NOT EXISTS: databases from before versioning have them.
            """
            CREATE TABLE IF NOT EXISTS payments (
                correlation_id TEXT PRIMARY KEY,
                amount_cents   INTEGER NOT NULL,
                state          TEXT NOT NULL,
                processor      TEXT,
                pinned         INTEGER NOT NULL DEFAULT 0,
                requested_at   INTEGER,
                attempts       INTEGER NOT NULL DEFAULT 0,
                last_error     TEXT,
                accepted_at    INTEGER NOT NULL,
                updated_at     INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS payments_unfinished ON payments(state, accepted_at)
                WHERE state IN ('QUEUED', 'IN_FLIGHT');
            CREATE INDEX IF NOT EXISTS payments_failed ON payments(correlation_id) WHERE state = 'FAILED';
            CREATE TABLE IF NOT EXISTS ledger (
                correlation_id TEXT PRIMARY KEY,
                processor      TEXT NOT NULL,
                amount_cents   INTEGER NOT NULL,
                requested_at   INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS ledger_requested_at ON ledger(requested_at, processor, amount_cents);
            """,
            // 2: tasks. seq orders the tasks of a context; id (a UUID v7) is what callers know.
            """
            CREATE TABLE tasks (
                seq              INTEGER PRIMARY KEY,
                id               TEXT NOT NULL UNIQUE,
                kind             TEXT NOT NULL,
                payload          TEXT NOT NULL,
                worker_id        TEXT NOT NULL,
                context_id       TEXT,
                caller_id        TEXT NOT NULL,
                status           TEXT NOT NULL,
                attempts         INTEGER NOT NULL DEFAULT 0,
                max_attempts     INTEGER NOT NULL,
                priority         INTEGER NOT NULL,
                due_at           INTEGER NOT NULL,
                lease_owner      TEXT,
                lease_expires_at INTEGER,
                fencing_token    INTEGER NOT NULL DEFAULT 0,
                output           TEXT,
                error            TEXT,
                created_at       INTEGER NOT NULL,
                started_at       INTEGER,
                finished_at      INTEGER
            );
            CREATE INDEX tasks_due ON tasks(due_at) WHERE status = 'pending';
            CREATE INDEX tasks_unfinished_by_context ON tasks(context_id, seq) WHERE status IN ('pending', 'processing');
            CREATE INDEX tasks_leases ON tasks(lease_expires_at) WHERE status = 'processing';
            """,
            // 3: the values flows save per context, written with the completion of the task that saved them.
            """
            CREATE TABLE context_values (
                context_id TEXT NOT NULL,
                key        TEXT NOT NULL,
                value      TEXT NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (context_id, key)
            ) WITHOUT ROWID;
            """,
            // 4: claims walk pending tasks in the order they are taken and stop at their limit,
            // rather than sorting every due task for each batch (a backlog of 30,000 halved the drain).
            """
            CREATE INDEX tasks_claim ON tasks(priority DESC, due_at, seq) WHERE status = 'pending';
            """);

    private Schema() {
    }

    /** The version a database has once {@link #migrate} has run on it. */
    static int latest() {
        return MIGRATIONS.size();
    }

    /**
     * Brings the database on {@code connection} (in auto-commit mode) to {@link #latest()}.
     *
     * @throws StoreException if the database is of a later version than this code knows, or a
     *                        migration fails (it is rolled back, and the ones before it stay)
     */
    static void migrate(Connection connection) throws SQLException {
        int version = version(connection);
        if (version > latest()) {
            throw new StoreException("the database has schema version " + version + " and this Flowgate knows up to "
                    + latest() + ": it was written by a later release; run that one, or a fresh --data-dir", null);
        }
        for (int next = version; next < latest(); next++) {
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                s.executeUpdate(MIGRATIONS.get(next));
                s.executeUpdate("PRAGMA user_version = " + (next + 1));
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw new StoreException("the migration to schema version " + (next + 1)
                        + " failed and was rolled back; the database is still at version " + next + ": " + e.getMessage(), e);
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    static int version(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
