package dev.flowgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.store.Durability;
import dev.flowgate.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void aNewDatabaseIsAtTheLatestSchemaVersion() throws SQLException {
        SqliteDatabase.open(dir, Durability.FSYNC).close();
        assertThat(query("PRAGMA user_version")).isEqualTo(Schema.latest());
    }

    @Test
    void aDatabaseFromBeforeSchemaVersionsKeepsItsRowsAndIsMigrated() throws SQLException {
        execute("""
                CREATE TABLE payments (correlation_id TEXT PRIMARY KEY, amount_cents INTEGER NOT NULL,
                    state TEXT NOT NULL, processor TEXT, pinned INTEGER NOT NULL DEFAULT 0, requested_at INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, accepted_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL) WITHOUT ROWID""");
        execute("INSERT INTO payments (correlation_id, amount_cents, state, accepted_at, updated_at) "
                + "VALUES ('4a1e1b8e-0000-4000-8000-000000000001', 2005, 'QUEUED', 1, 1)");
        SqliteDatabase.open(dir, Durability.FSYNC).close();
        assertThat(query("PRAGMA user_version")).isEqualTo(Schema.latest());
        assertThat(query("SELECT COUNT(*) FROM payments")).isOne();
        assertThat(query("SELECT COUNT(*) FROM ledger")).isZero();
    }

    @Test
    void reopeningRunsNoMigrationAgain() throws SQLException {
        SqliteDatabase.open(dir, Durability.FSYNC).close();
        execute("INSERT INTO ledger VALUES ('4a1e1b8e-0000-4000-8000-000000000001', 'default', 2005, 1)");
        SqliteDatabase.open(dir, Durability.FSYNC).close();
        assertThat(query("SELECT COUNT(*) FROM ledger")).isOne();
    }

    @Test
    void aDatabaseOfALaterVersionIsRefusedAndLeftAsItIs() throws SQLException {
        SqliteDatabase.open(dir, Durability.FSYNC).close();
        execute("PRAGMA user_version = " + (Schema.latest() + 1));
        assertThatThrownBy(() -> SqliteDatabase.open(dir, Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version " + (Schema.latest() + 1))
                .hasMessageContaining("written by a later release");
        assertThat(query("PRAGMA user_version")).isEqualTo(Schema.latest() + 1);
    }

    @Test
    void aMigrationThatFailsMidwayIsRolledBackAndSaysWhichOne() throws SQLException {
        SqliteDatabase.open(dir, Durability.FSYNC).close();
        execute("PRAGMA user_version = 1"); // migration 2 runs again: its first statement passes, a later one fails
        execute("DROP TABLE tasks");
        execute("CREATE TABLE tasks_leases_blocker (x)");
        execute("CREATE INDEX tasks_leases ON tasks_leases_blocker(x)");
        assertThatThrownBy(() -> SqliteDatabase.open(dir, Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("the migration to schema version 2 failed and was rolled back")
                .hasMessageContaining("still at version 1");
        assertThat(query("PRAGMA user_version")).isOne();
        assertThat(query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'tasks'")).as("its first table undone").isZero();
    }

    @Test
    void aDataDirectoryThatIsAFileIsAClearError() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> SqliteDatabase.open(file, Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot create the data directory");
    }

    @Test
    void aFileThatIsNotADatabaseIsAClearError() throws Exception {
        Files.writeString(dir.resolve(SqliteDatabase.FILE_NAME), "this is not a database, only text ".repeat(200));
        assertThatThrownBy(() -> SqliteDatabase.open(dir, Durability.FSYNC))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot open the database");
    }

    @Test
    void writesGoThroughTheCommitterAndReadsSeeThem() {
        try (SqliteDatabase database = SqliteDatabase.open(dir, Durability.NO_FSYNC)) {
            database.committer().execute(GroupCommitter.Urgency.NOW, c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("INSERT INTO ledger VALUES ('id', 'default', 100, 1)");
                }
            });
            long count = database.read("SELECT COUNT(*) FROM ledger", s -> {
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(count).isOne();
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long query(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String url() {
        return "jdbc:sqlite:" + dir.resolve(SqliteDatabase.FILE_NAME).toAbsolutePath();
    }
}
