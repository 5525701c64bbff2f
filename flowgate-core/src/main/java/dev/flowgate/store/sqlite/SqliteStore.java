package dev.flowgate.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowgate.intake.AcceptResult;
import dev.flowgate.intake.Payment;
import dev.flowgate.ledger.Ledger;
import dev.flowgate.ledger.Totals;
import dev.flowgate.store.Durability;
import dev.flowgate.store.Journal;
import dev.flowgate.store.PaymentRecord;
import dev.flowgate.store.PaymentState;
import dev.flowgate.store.StoreException;
import dev.flowgate.store.sqlite.GroupCommitter.Urgency;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: journal and ledger in one SQLite file in WAL mode. One writer connection
 * owned by the {@link GroupCommitter}; reads go through a small pool of their own connections,
 * which WAL lets run beside the writer without blocking it.
 *
 * <p>A new payment is made durable in the {@link IntakeLog} first, which is what the request waits
 * for; its row follows in the writer's next commit. Until then the payment is one of
 * {@link #accepting}, so a second request with its id sees it, and a restart replays the log into
 * the database before anything else reads it.
 */
public final class SqliteStore implements Journal, Ledger {
    static final String FILE_NAME = "flowgate.db";

    private static final String SCHEMA = """
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
            """;

    static final String INTAKE_LOG_FILE_NAME = "intake.log";
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

    /**
     * A payment whose row is not yet committed: {@code amountCents} completes once it is durable
     * in the intake log (or turns out to be in the database already), with the amount that holds.
     */
    private record Accepting(long acceptedAtMillis, CompletableFuture<Long> amountCents) {
    }

    /** How long a failed insert of a journaled payment waits before it is tried again. */
    static final Duration ROW_RETRY = Duration.ofSeconds(1);

    private static final String INSERT_PAYMENT = """
            INSERT INTO payments (correlation_id, amount_cents, state, accepted_at, updated_at)
            VALUES (?, ?, 'QUEUED', ?, ?) ON CONFLICT (correlation_id) DO NOTHING""";

    private final Clock clock;
    private final IntakeLog intakeLog;
    private final ConcurrentHashMap<UUID, Accepting> accepting = new ConcurrentHashMap<>();
    /** Every id the database holds or is about to; a new id that it lacks needs no database read. */
    private final KnownIds knownIds;
    /** Appends share it; purge takes it alone, so no payment straddles the cut. */
    private final ReentrantReadWriteLock purgeLock = new ReentrantReadWriteLock();
    private final Connection writerConnection;
    private final GroupCommitter committer;
    private final HikariDataSource readers;
    private final Statements statements;
    private volatile boolean closed;

    private SqliteStore(Clock clock, IntakeLog intakeLog, KnownIds knownIds, Connection writerConnection,
            HikariDataSource readers) throws SQLException {
        this.clock = clock;
        this.knownIds = knownIds;
        this.intakeLog = intakeLog;
        this.writerConnection = writerConnection;
        this.statements = new Statements(writerConnection);
        this.committer = new GroupCommitter(writerConnection, "flowgate-journal-writer");
        this.readers = readers;
    }

    /** Opens (creating if needed) the database file under {@code dataDir}. */
    public static SqliteStore open(Path dataDir, Durability durability, Clock clock) {
        return open(dataDir, durability, clock, KnownIds::new);
    }

    /** With the filter of known ids {@code newKnownIds} makes (empty; filled here from the table). */
    static SqliteStore open(Path dataDir, Durability durability, Clock clock, Supplier<KnownIds> newKnownIds) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StoreException("cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        String url = "jdbc:sqlite:" + dataDir.resolve(FILE_NAME).toAbsolutePath();
        Connection writer = null;
        IntakeLog intakeLog = null;
        try {
            writer = DriverManager.getConnection(url, connectionProperties());
            try (Statement s = writer.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=" + (durability == Durability.FSYNC ? "FULL" : "NORMAL"));
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("PRAGMA wal_autocheckpoint=0"); // the GroupCommitter checkpoints when idle
                s.executeUpdate(SCHEMA);
            }
            intakeLog = IntakeLog.open(dataDir.resolve(INTAKE_LOG_FILE_NAME), durability == Durability.FSYNC,
                    IntakeLog.DEFAULT_SEGMENT_RECORDS);
            replay(intakeLog.recovered(), writer);
            intakeLog.startGeneration();
            return new SqliteStore(clock, intakeLog, knownIds(writer, newKnownIds.get()), writer, readPool(url));
        } catch (SQLException e) {
            closeQuietly(writer);
            closeQuietly(intakeLog);
            throw new StoreException("cannot open the database " + url + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(writer);
            closeQuietly(intakeLog);
            throw e;
        }
    }

    /** Inserts the payments the intake log holds and the database may not, in one durable commit. */
    private static void replay(List<IntakeLog.Entry> entries, Connection writer) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        writer.setAutoCommit(false);
        try (PreparedStatement insert = writer.prepareStatement(INSERT_PAYMENT)) {
            int added = 0;
            for (IntakeLog.Entry entry : entries) {
                bindInsert(insert, entry);
                added += insert.executeUpdate();
            }
            writer.commit();
            LOG.info("intake log: {} payments replayed, {} of them missing from the database", entries.size(), added);
        } catch (SQLException e) {
            writer.rollback();
            throw e;
        } finally {
            writer.setAutoCommit(true);
        }
    }

    private static KnownIds knownIds(Connection connection, KnownIds ids) throws SQLException {
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT correlation_id FROM payments")) {
            while (rs.next()) {
                ids.add(UUID.fromString(rs.getString(1)));
            }
        }
        return ids;
    }

    private static void bindInsert(PreparedStatement insert, IntakeLog.Entry entry) throws SQLException {
        insert.setString(1, entry.correlationId().toString());
        insert.setLong(2, entry.amountCents());
        insert.setLong(3, entry.acceptedAtMillis());
        insert.setLong(4, entry.acceptedAtMillis());
    }

    /**
     * Without this, every executeUpdate matches its SQL against a regex to find generated keys
     * (there are none here): 15 % of the server's garbage under load, the largest single source.
     */
    private static Properties connectionProperties() {
        Properties properties = new Properties();
        properties.setProperty("jdbc.get_generated_keys", "false");
        return properties;
    }

    private static HikariDataSource readPool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setDataSourceProperties(connectionProperties());
        config.setPoolName("flowgate-readers");
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionInitSql("PRAGMA busy_timeout=5000");
        return new HikariDataSource(config);
    }

    @Override
    public AcceptResult append(Payment payment) {
        Accepting mine = new Accepting(clock.millis(), new CompletableFuture<>());
        Accepting earlier;
        purgeLock.readLock().lock();
        try {
            earlier = accepting.putIfAbsent(payment.correlationId(), mine);
            if (earlier == null) {
                return acceptNew(payment, mine);
            }
        } finally {
            purgeLock.readLock().unlock();
        }
        return answer(payment, durableAmount(earlier));
    }

    /** Journals a payment this request owns in {@link #accepting}; holds the purge lock's read side. */
    private AcceptResult acceptNew(Payment payment, Accepting mine) {
        UUID id = payment.correlationId();
        try {
            Optional<Long> stored = knownIds.mightContain(id) ? storedAmount(id) : Optional.empty();
            if (stored.isPresent()) {
                mine.amountCents().complete(stored.get());
                accepting.remove(id, mine);
                return answer(payment, stored.get());
            }
            IntakeLog.Entry entry = new IntakeLog.Entry(id, payment.amountCents(), mine.acceptedAtMillis());
            IntakeLog.Ticket ticket = intakeLog.append(entry);
            knownIds.add(id); // before its row can be in the database
            mine.amountCents().complete(payment.amountCents());
            writeRow(entry, ticket, mine);
            return new AcceptResult.Accepted();
        } catch (RuntimeException | Error e) {
            // An Error too: left incomplete, the pending answer would hang every later request with this id.
            mine.amountCents().completeExceptionally(e);
            accepting.remove(id, mine);
            throw e;
        }
    }

    /**
     * Inserts the row of a payment the intake log holds, in a coming commit; once it is durable the
     * log may forget the record. A failed insert (disk full, I/O error) is tried again every
     * {@link #ROW_RETRY} until it succeeds or the store closes: meanwhile the payment stays in
     * {@link #accepting}, where {@link #attemptStarted} finds it, and in the log, which the next start
     * replays. A purge drops it from {@code accepting}, and the next try then writes nothing.
     */
    private void writeRow(IntakeLog.Entry entry, IntakeLog.Ticket ticket, Accepting mine) {
        UUID id = entry.correlationId();
        CompletableFuture<Integer> written;
        try {
            written = committer.submit(Urgency.DEFERRABLE, c -> {
                if (accepting.get(id) != mine) {
                    return 0; // purged
                }
                bindInsert(statements.insert, entry);
                return statements.insert.executeUpdate();
            });
        } catch (StoreException e) {
            LOG.warn("payment {} is in the intake log only; the store is closing, the next start writes its row", id);
            return;
        }
        written.whenComplete((inserted, error) -> {
            if (error == null) {
                intakeLog.applied(ticket);
                accepting.remove(id, mine);
            } else if (!closed) {
                LOG.error("payment {} is journaled but its row could not be written; trying again in {} ms",
                        id, ROW_RETRY.toMillis(), error);
                CompletableFuture.delayedExecutor(ROW_RETRY.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> writeRow(entry, ticket, mine));
            }
        });
    }

    private static AcceptResult answer(Payment payment, long acceptedCents) {
        return acceptedCents == payment.amountCents()
                ? new AcceptResult.AlreadyAccepted()
                : new AcceptResult.Conflict(acceptedCents);
    }

    /** Waits until the earlier request with the same id is durable, and returns the amount it holds. */
    private static long durableAmount(Accepting earlier) {
        try {
            return earlier.amountCents().join();
        } catch (CompletionException e) {
            throw new StoreException("an earlier request with this correlationId failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private Optional<Long> storedAmount(UUID id) {
        return read("SELECT amount_cents FROM payments WHERE correlation_id = ?", s -> {
            s.setString(1, id.toString());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        });
    }

    /**
     * Also writes the payment's row if it is not there yet but the payment is one of
     * {@link #accepting}: its own insert failed and waits for a retry, and the attempt must not be
     * taken for one on a purged or settled payment.
     */
    @Override
    public boolean attemptStarted(UUID correlationId, String processor, Instant requestedAt) {
        long now = clock.millis();
        return committer.execute(Urgency.DEFERRABLE, c -> {
            if (markAttemptStarted(correlationId, processor, requestedAt, now)) {
                return true;
            }
            Accepting pending = accepting.get(correlationId);
            Long amountCents = pending == null ? null : pending.amountCents().getNow(null);
            if (amountCents == null) {
                return false;
            }
            bindInsert(statements.insert, new IntakeLog.Entry(correlationId, amountCents, pending.acceptedAtMillis()));
            statements.insert.executeUpdate();
            return markAttemptStarted(correlationId, processor, requestedAt, now);
        });
    }

    private boolean markAttemptStarted(UUID correlationId, String processor, Instant requestedAt, long now)
            throws SQLException {
        PreparedStatement s = statements.attemptStarted;
        s.setString(1, processor);
        s.setLong(2, requestedAt.toEpochMilli());
        s.setLong(3, now);
        s.setString(4, correlationId.toString());
        return s.executeUpdate() == 1;
    }

    @Override
    public void processed(UUID correlationId, String processor, Instant requestedAt) {
        long now = clock.millis();
        committer.execute(Urgency.DEFERRABLE, c -> {
            PreparedStatement s = statements.processed;
            s.setString(1, processor);
            s.setLong(2, requestedAt.toEpochMilli());
            s.setLong(3, now);
            s.setString(4, correlationId.toString());
            if (s.executeUpdate() == 0) {
                return 0;
            }
            PreparedStatement l = statements.ledgerInsert;
            l.setString(1, processor);
            l.setLong(2, requestedAt.toEpochMilli());
            l.setString(3, correlationId.toString());
            return l.executeUpdate();
        });
    }

    @Override
    public void attemptEnded(UUID correlationId, String pinnedProcessor, String error) {
        long now = clock.millis();
        committer.execute(Urgency.DEFERRABLE, c -> {
            PreparedStatement s = statements.attemptEnded;
            s.setInt(1, pinnedProcessor == null ? 0 : 1);
            if (pinnedProcessor == null) {
                s.setNull(2, Types.VARCHAR);
            } else {
                s.setString(2, pinnedProcessor);
            }
            s.setString(3, error);
            s.setLong(4, now);
            s.setString(5, correlationId.toString());
            return s.executeUpdate();
        });
    }

    @Override
    public void failed(UUID correlationId, String reason) {
        long now = clock.millis();
        committer.execute(Urgency.DEFERRABLE, c -> {
            PreparedStatement s = statements.failed;
            s.setString(1, reason);
            s.setLong(2, now);
            s.setString(3, correlationId.toString());
            return s.executeUpdate();
        });
    }

    @Override
    public void purge() {
        // Exclusive: a payment accepted meanwhile is either wholly before the cut (its row is
        // inserted before the DELETE, its log record in the old generation) or wholly after it.
        purgeLock.writeLock().lock();
        try {
            // The log first: a crash between the two must not bring purged payments back.
            intakeLog.startGeneration();
            accepting.clear();
            knownIds.clear();
            committer.execute(Urgency.NOW, c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("DELETE FROM ledger");
                    return s.executeUpdate("DELETE FROM payments");
                }
            });
        } finally {
            purgeLock.writeLock().unlock();
        }
    }

    @Override
    public List<PaymentRecord> unfinished() {
        return read("SELECT * FROM payments WHERE state IN ('QUEUED', 'IN_FLIGHT') ORDER BY accepted_at",
                SqliteStore::records);
    }

    /**
     * The database first, where every payment ends up; then {@link #accepting}, for one whose row
     * is still on its way; then the database again, in case the row landed between the two looks.
     */
    @Override
    public Optional<PaymentRecord> find(UUID correlationId) {
        return findStored(correlationId)
                .or(() -> Optional.ofNullable(accepting.get(correlationId)).flatMap(a -> acceptedRecord(correlationId, a)))
                .or(() -> findStored(correlationId));
    }

    private static Optional<PaymentRecord> acceptedRecord(UUID correlationId, Accepting accepted) {
        CompletableFuture<Long> amount = accepted.amountCents();
        if (!amount.isDone() || amount.isCompletedExceptionally()) {
            return Optional.empty();
        }
        return Optional.of(new PaymentRecord(correlationId, amount.join(), PaymentState.QUEUED, null, false, null, 0,
                null, Instant.ofEpochMilli(accepted.acceptedAtMillis())));
    }

    private Optional<PaymentRecord> findStored(UUID correlationId) {
        return read("SELECT * FROM payments WHERE correlation_id = ?", s -> {
            s.setString(1, correlationId.toString());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(record(rs)) : Optional.empty();
            }
        });
    }

    @Override
    public List<PaymentRecord> list(PaymentState state, UUID after, int limit) {
        // The state as a literal (an enum's name), so SQLite can use the partial index of failed payments.
        return read("SELECT * FROM payments WHERE state = '" + state.name()
                + "' AND correlation_id > ? ORDER BY correlation_id LIMIT ?", s -> {
            s.setString(1, after == null ? "" : after.toString());
            s.setInt(2, limit);
            return records(s);
        });
    }

    @Override
    public Optional<PaymentRecord> requeueFailed(UUID correlationId) {
        long now = clock.millis();
        int requeued = committer.execute(Urgency.NOW, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE payments SET state = 'QUEUED', updated_at = ?,
                    last_error = 'queued again by an operator; it had failed: ' || COALESCE(last_error, 'no reason recorded')
                    WHERE correlation_id = ? AND state = 'FAILED'""")) {
                s.setLong(1, now);
                s.setString(2, correlationId.toString());
                return s.executeUpdate();
            }
        });
        return requeued == 1 ? findStored(correlationId) : Optional.empty();
    }

    @Override
    public Map<String, Totals> summary(Instant from, Instant to) {
        return read("""
                SELECT processor, COUNT(*), SUM(amount_cents) FROM ledger
                WHERE requested_at BETWEEN ? AND ? GROUP BY processor""", s -> {
            s.setLong(1, from == null ? Long.MIN_VALUE : ceilMillis(from));
            s.setLong(2, to == null ? Long.MAX_VALUE : to.toEpochMilli());
            Map<String, Totals> totals = new HashMap<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    totals.put(rs.getString(1), new Totals(rs.getLong(2), rs.getLong(3)));
                }
            }
            return totals;
        });
    }

    /** Instants are stored in whole milliseconds; an inclusive lower bound rounds up to the next one. */
    private static long ceilMillis(Instant instant) {
        long millis = instant.toEpochMilli();
        return instant.getNano() % 1_000_000 == 0 ? millis : millis + 1;
    }

    private static List<PaymentRecord> records(PreparedStatement statement) throws SQLException {
        List<PaymentRecord> records = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
                records.add(record(rs));
            }
        }
        return records;
    }

    private static PaymentRecord record(ResultSet rs) throws SQLException {
        long requestedAt = rs.getLong("requested_at");
        Instant requested = rs.wasNull() ? null : Instant.ofEpochMilli(requestedAt);
        return new PaymentRecord(
                UUID.fromString(rs.getString("correlation_id")),
                rs.getLong("amount_cents"),
                PaymentState.valueOf(rs.getString("state")),
                rs.getString("processor"),
                rs.getInt("pinned") != 0,
                requested,
                rs.getInt("attempts"),
                rs.getString("last_error"),
                Instant.ofEpochMilli(rs.getLong("accepted_at")));
    }

    @FunctionalInterface
    private interface Query<R> {
        R run(PreparedStatement statement) throws SQLException;
    }

    private <R> R read(String sql, Query<R> query) {
        try (Connection c = readers.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            return query.run(s);
        } catch (SQLException e) {
            throw new StoreException("journal read failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        committer.close();
        intakeLog.close();
        readers.close();
        closeQuietly(writerConnection);
    }

    private static void closeQuietly(IntakeLog log) {
        if (log != null) {
            log.close();
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing on the way out; nothing left to tell.
        }
    }

    /** The writer's prepared statements, used only on the writer thread. */
    private static final class Statements {
        final PreparedStatement insert;
        final PreparedStatement attemptStarted;
        final PreparedStatement processed;
        final PreparedStatement ledgerInsert;
        final PreparedStatement attemptEnded;
        final PreparedStatement failed;

        Statements(Connection c) throws SQLException {
            insert = c.prepareStatement(INSERT_PAYMENT);
            attemptStarted = c.prepareStatement("""
                    UPDATE payments SET state = 'IN_FLIGHT', processor = ?, requested_at = ?,
                    attempts = attempts + 1, updated_at = ?
                    WHERE correlation_id = ? AND state IN ('QUEUED', 'IN_FLIGHT')""");
            processed = c.prepareStatement("""
                    UPDATE payments SET state = 'PROCESSED', processor = ?, requested_at = ?, pinned = 0,
                    last_error = NULL, updated_at = ?
                    WHERE correlation_id = ? AND state IN ('QUEUED', 'IN_FLIGHT')""");
            ledgerInsert = c.prepareStatement("""
                    INSERT INTO ledger (correlation_id, processor, amount_cents, requested_at)
                    SELECT correlation_id, ?, amount_cents, ? FROM payments WHERE correlation_id = ?""");
            attemptEnded = c.prepareStatement("""
                    UPDATE payments SET state = 'QUEUED', pinned = ?, processor = COALESCE(?, processor),
                    last_error = ?, updated_at = ?
                    WHERE correlation_id = ? AND state IN ('QUEUED', 'IN_FLIGHT')""");
            // An attempt in flight has an unknown outcome: the pin must outlive the failure, so that
            // an operator's retry reconciles it there instead of sending it anywhere.
            failed = c.prepareStatement("""
                    UPDATE payments SET state = 'FAILED', last_error = ?, updated_at = ?,
                    pinned = CASE WHEN state = 'IN_FLIGHT' THEN 1 ELSE pinned END
                    WHERE correlation_id = ? AND state IN ('QUEUED', 'IN_FLIGHT')""");
        }
    }
}
