package dev.flowgate.store.sqlite;

import dev.flowgate.ledger.Ledger;
import dev.flowgate.store.Durability;
import dev.flowgate.store.Journal;
import dev.flowgate.task.TaskStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The embedded store: journal, ledger and tasks in one SQLite file under the data directory, beside the
 * intake log. What the composition root opens and closes; the core sees only the ports.
 */
public final class SqliteStore implements AutoCloseable {
    static final String INTAKE_LOG_FILE_NAME = "intake.log";

    private final SqliteDatabase database;
    private final IntakeLog intakeLog;
    private final SqliteJournal journal;
    private final SqliteLedger ledger;
    private final SqliteTaskStore tasks;

    private SqliteStore(SqliteDatabase database, IntakeLog intakeLog, Clock clock, KnownIds knownIds) {
        this.database = database;
        this.intakeLog = intakeLog;
        this.ledger = new SqliteLedger(database);
        this.tasks = new SqliteTaskStore(database, clock);
        // The file is this process's alone (an embedded store): every lease in it is a dead process's.
        tasks.expireLeases(Instant.MAX);
        this.journal = new SqliteJournal(database, new PaymentTable(database, ledger), intakeLog, knownIds, clock);
    }

    /** Opens (creating if needed) the store under {@code dataDir}, replaying what the intake log holds. */
    public static SqliteStore open(Path dataDir, Durability durability, Clock clock) {
        return open(dataDir, durability, clock, KnownIds::new);
    }

    /** With the filter of known ids {@code newKnownIds} makes (empty; filled here from the table). */
    static SqliteStore open(Path dataDir, Durability durability, Clock clock, Supplier<KnownIds> newKnownIds) {
        SqliteDatabase database = SqliteDatabase.open(dataDir, durability);
        IntakeLog intakeLog = null;
        try {
            intakeLog = IntakeLog.open(dataDir.resolve(INTAKE_LOG_FILE_NAME), durability == Durability.FSYNC,
                    IntakeLog.DEFAULT_SEGMENT_RECORDS);
            return new SqliteStore(database, intakeLog, clock, newKnownIds.get());
        } catch (RuntimeException | Error e) {
            if (intakeLog != null) {
                intakeLog.close();
            }
            database.close();
            throw e;
        }
    }

    public Journal journal() {
        return journal;
    }

    public Ledger ledger() {
        return ledger;
    }

    public TaskStore tasks() {
        return tasks;
    }

    /** Lets queued writes commit, then closes the database and the intake log. */
    @Override
    public void close() {
        journal.close();
        database.close();
        intakeLog.close();
    }
}
