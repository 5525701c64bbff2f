package dev.flowgate.store.sqlite;

import dev.flowgate.ledger.Ledger;
import dev.flowgate.ledger.Totals;
import dev.flowgate.store.sqlite.GroupCommitter.Urgency;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The ledger table: what a processor confirmed, each payment at most once (its correlation id is
 * the key). An entry is written in the same transaction that marks the payment processed.
 */
final class SqliteLedger implements Ledger {
    private final SqliteDatabase database;
    /** Prepared on the writer's connection; used on the writer thread only. */
    private final PreparedStatement insert;

    SqliteLedger(SqliteDatabase database) {
        this.database = database;
        this.insert = database.committer().execute(Urgency.NOW, c -> c.prepareStatement("""
                INSERT INTO ledger (correlation_id, processor, amount_cents, requested_at)
                SELECT correlation_id, ?, amount_cents, ? FROM payments WHERE correlation_id = ?"""));
    }

    /** Enters a settled payment at the amount its row holds; inside a write on the writer thread. */
    int enter(UUID correlationId, String processor, Instant requestedAt) throws SQLException {
        insert.setString(1, processor);
        insert.setLong(2, requestedAt.toEpochMilli());
        insert.setString(3, correlationId.toString());
        return insert.executeUpdate();
    }

    /** Forgets every entry; inside a write on the writer thread. */
    static void deleteAll(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.executeUpdate("DELETE FROM ledger");
        }
    }

    @Override
    public Map<String, Totals> summary(Instant from, Instant to) {
        return database.read("""
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
}
