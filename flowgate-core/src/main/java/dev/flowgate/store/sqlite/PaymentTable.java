package dev.flowgate.store.sqlite;

import dev.flowgate.payment.PaymentRecord;
import dev.flowgate.payment.PaymentState;
import dev.flowgate.store.sqlite.GroupCommitter.Urgency;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The payments table: one row per payment with its state and its last attempt. The writing methods
 * run inside a write on the writer thread (they use statements prepared there) and return the rows
 * they changed; a change to a payment that is gone or already final changes nothing. The reading
 * methods use the read pool.
 */
final class PaymentTable {
    private final SqliteDatabase database;
    private final SqliteLedger ledger;
    private final Statements statements;

    PaymentTable(SqliteDatabase database, SqliteLedger ledger) {
        this.database = database;
        this.ledger = ledger;
        this.statements = database.committer().execute(Urgency.NOW, Statements::new);
    }

    /** Inserts a new payment, queued; nothing if its id is there already. */
    int insert(UUID correlationId, long amountCents, long acceptedAtMillis) throws SQLException {
        PreparedStatement s = statements.insert;
        s.setString(1, correlationId.toString());
        s.setLong(2, amountCents);
        s.setLong(3, acceptedAtMillis);
        s.setLong(4, acceptedAtMillis);
        return s.executeUpdate();
    }

    int attemptStarted(UUID correlationId, String processor, Instant requestedAt, long now) throws SQLException {
        PreparedStatement s = statements.attemptStarted;
        s.setString(1, processor);
        s.setLong(2, requestedAt.toEpochMilli());
        s.setLong(3, now);
        s.setString(4, correlationId.toString());
        return s.executeUpdate();
    }

    /** Marks the payment processed and enters it in the ledger, in the same transaction. */
    int processed(UUID correlationId, String processor, Instant requestedAt, long now) throws SQLException {
        PreparedStatement s = statements.processed;
        s.setString(1, processor);
        s.setLong(2, requestedAt.toEpochMilli());
        s.setLong(3, now);
        s.setString(4, correlationId.toString());
        return s.executeUpdate() == 0 ? 0 : ledger.enter(correlationId, processor, requestedAt);
    }

    int attemptEnded(UUID correlationId, String pinnedProcessor, String error, long now) throws SQLException {
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
    }

    int failed(UUID correlationId, String reason, long now) throws SQLException {
        PreparedStatement s = statements.failed;
        s.setString(1, reason);
        s.setLong(2, now);
        s.setString(3, correlationId.toString());
        return s.executeUpdate();
    }

    /** Queues a failed payment again, keeping its pin and saying why it had failed. */
    static int requeueFailed(Connection connection, UUID correlationId, long now) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("""
                UPDATE payments SET state = 'QUEUED', updated_at = ?,
                last_error = 'queued again by an operator; it had failed: ' || COALESCE(last_error, 'no reason recorded')
                WHERE correlation_id = ? AND state = 'FAILED'""")) {
            s.setLong(1, now);
            s.setString(2, correlationId.toString());
            return s.executeUpdate();
        }
    }

    static int deleteAll(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            return s.executeUpdate("DELETE FROM payments");
        }
    }

    Optional<Long> amount(UUID correlationId) {
        return database.read("SELECT amount_cents FROM payments WHERE correlation_id = ?", s -> {
            s.setString(1, correlationId.toString());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        });
    }

    Optional<PaymentRecord> find(UUID correlationId) {
        return database.read("SELECT * FROM payments WHERE correlation_id = ?", s -> {
            s.setString(1, correlationId.toString());
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(record(rs)) : Optional.empty();
            }
        });
    }

    List<PaymentRecord> list(PaymentState state, UUID after, int limit) {
        // The state as a literal (an enum's name), so SQLite can use the partial index of failed payments.
        return database.read("SELECT * FROM payments WHERE state = '" + state.name()
                + "' AND correlation_id > ? ORDER BY correlation_id LIMIT ?", s -> {
            s.setString(1, after == null ? "" : after.toString());
            s.setInt(2, limit);
            return records(s);
        });
    }

    List<PaymentRecord> unfinished() {
        return database.read("SELECT * FROM payments WHERE state IN ('QUEUED', 'IN_FLIGHT') ORDER BY accepted_at",
                PaymentTable::records);
    }

    void forEachId(Consumer<UUID> action) {
        database.read("SELECT correlation_id FROM payments", s -> {
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    action.accept(UUID.fromString(rs.getString(1)));
                }
            }
            return null;
        });
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

    /** The writer's prepared statements, used only on the writer thread. */
    private static final class Statements {
        final PreparedStatement insert;
        final PreparedStatement attemptStarted;
        final PreparedStatement processed;
        final PreparedStatement attemptEnded;
        final PreparedStatement failed;

        Statements(Connection c) throws SQLException {
            insert = c.prepareStatement("""
                    INSERT INTO payments (correlation_id, amount_cents, state, accepted_at, updated_at)
                    VALUES (?, ?, 'QUEUED', ?, ?) ON CONFLICT (correlation_id) DO NOTHING""");
            attemptStarted = c.prepareStatement("""
                    UPDATE payments SET state = 'IN_FLIGHT', processor = ?, requested_at = ?,
                    attempts = attempts + 1, updated_at = ?
                    WHERE correlation_id = ? AND state IN ('QUEUED', 'IN_FLIGHT')""");
            processed = c.prepareStatement("""
                    UPDATE payments SET state = 'PROCESSED', processor = ?, requested_at = ?, pinned = 0,
                    last_error = NULL, updated_at = ?
                    WHERE correlation_id = ? AND state IN ('QUEUED', 'IN_FLIGHT')""");
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
