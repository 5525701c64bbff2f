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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The embedded store: journal and ledger in one SQLite file in WAL mode. One writer connection
 * owned by the {@link GroupCommitter}; reads go through a small pool of their own connections,
 * which WAL lets run beside the writer without blocking it.
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
            CREATE TABLE IF NOT EXISTS ledger (
                correlation_id TEXT PRIMARY KEY,
                processor      TEXT NOT NULL,
                amount_cents   INTEGER NOT NULL,
                requested_at   INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS ledger_requested_at ON ledger(requested_at, processor, amount_cents);
            """;

    private final Clock clock;
    private final Connection writerConnection;
    private final GroupCommitter committer;
    private final HikariDataSource readers;
    private final Statements statements;

    private SqliteStore(Clock clock, Connection writerConnection, HikariDataSource readers) throws SQLException {
        this.clock = clock;
        this.writerConnection = writerConnection;
        this.statements = new Statements(writerConnection);
        this.committer = new GroupCommitter(writerConnection, "flowgate-journal-writer");
        this.readers = readers;
    }

    /** Opens (creating if needed) the database file under {@code dataDir}. */
    public static SqliteStore open(Path dataDir, Durability durability, Clock clock) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StoreException("cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        String url = "jdbc:sqlite:" + dataDir.resolve(FILE_NAME).toAbsolutePath();
        Connection writer = null;
        try {
            writer = DriverManager.getConnection(url);
            try (Statement s = writer.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=" + (durability == Durability.FSYNC ? "FULL" : "NORMAL"));
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("PRAGMA wal_autocheckpoint=0"); // the GroupCommitter checkpoints when idle
                s.executeUpdate(SCHEMA);
            }
            return new SqliteStore(clock, writer, readPool(url));
        } catch (SQLException e) {
            closeQuietly(writer);
            throw new StoreException("cannot open the database " + url + ": " + e.getMessage(), e);
        }
    }

    private static HikariDataSource readPool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setPoolName("flowgate-readers");
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionInitSql("PRAGMA busy_timeout=5000");
        return new HikariDataSource(config);
    }

    @Override
    public AcceptResult append(Payment payment) {
        long now = clock.millis();
        return committer.execute(Urgency.NOW, c -> {
            PreparedStatement insert = statements.insert;
            insert.setString(1, payment.correlationId().toString());
            insert.setLong(2, payment.amountCents());
            insert.setLong(3, now);
            insert.setLong(4, now);
            if (insert.executeUpdate() == 1) {
                return new AcceptResult.Accepted();
            }
            PreparedStatement amountOf = statements.amountOf;
            amountOf.setString(1, payment.correlationId().toString());
            try (ResultSet rs = amountOf.executeQuery()) {
                rs.next();
                long existing = rs.getLong(1);
                return existing == payment.amountCents()
                        ? new AcceptResult.AlreadyAccepted()
                        : new AcceptResult.Conflict(existing);
            }
        });
    }

    @Override
    public boolean attemptStarted(UUID correlationId, String processor, Instant requestedAt) {
        long now = clock.millis();
        return committer.execute(Urgency.DEFERRABLE, c -> {
            PreparedStatement s = statements.attemptStarted;
            s.setString(1, processor);
            s.setLong(2, requestedAt.toEpochMilli());
            s.setLong(3, now);
            s.setString(4, correlationId.toString());
            return s.executeUpdate() == 1;
        });
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
        committer.execute(Urgency.NOW, c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM ledger");
                return s.executeUpdate("DELETE FROM payments");
            }
        });
    }

    @Override
    public List<PaymentRecord> unfinished() {
        return read("SELECT * FROM payments WHERE state IN ('QUEUED', 'IN_FLIGHT') ORDER BY accepted_at", s -> {
            List<PaymentRecord> records = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    records.add(record(rs));
                }
            }
            return records;
        });
    }

    @Override
    public Optional<PaymentRecord> find(UUID correlationId) {
        return read("SELECT * FROM payments WHERE correlation_id = ?", s -> {
            s.setString(1, correlationId.toString());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(record(rs)) : Optional.empty();
            }
        });
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
        committer.close();
        readers.close();
        closeQuietly(writerConnection);
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
        final PreparedStatement amountOf;
        final PreparedStatement attemptStarted;
        final PreparedStatement processed;
        final PreparedStatement ledgerInsert;
        final PreparedStatement attemptEnded;
        final PreparedStatement failed;

        Statements(Connection c) throws SQLException {
            insert = c.prepareStatement("""
                    INSERT INTO payments (correlation_id, amount_cents, state, accepted_at, updated_at)
                    VALUES (?, ?, 'QUEUED', ?, ?) ON CONFLICT (correlation_id) DO NOTHING""");
            amountOf = c.prepareStatement("SELECT amount_cents FROM payments WHERE correlation_id = ?");
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
            failed = c.prepareStatement("""
                    UPDATE payments SET state = 'FAILED', last_error = ?, updated_at = ?
                    WHERE correlation_id = ? AND state IN ('QUEUED', 'IN_FLIGHT')""");
        }
    }
}
