package dev.flowgate.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.flowgate.store.Durability;
import dev.flowgate.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * One SQLite file in WAL mode, at the current {@link Schema}: a single writer connection owned by
 * the {@link GroupCommitter}, through which every write goes, and a small pool of read connections,
 * which WAL lets run beside the writer without blocking it.
 */
final class SqliteDatabase implements AutoCloseable {
    static final String FILE_NAME = "flowgate.db";

    /** A read on a pooled connection. */
    @FunctionalInterface
    interface Query<R> {
        R run(PreparedStatement statement) throws SQLException;
    }

    private final Connection writerConnection;
    private final GroupCommitter committer;
    private final HikariDataSource readers;

    private SqliteDatabase(Connection writerConnection, HikariDataSource readers) {
        this.writerConnection = writerConnection;
        this.readers = readers;
        this.committer = new GroupCommitter(writerConnection, "flowgate-journal-writer");
    }

    /** Opens (creating if needed) the database file under {@code dataDir} and migrates it. */
    static SqliteDatabase open(Path dataDir, Durability durability) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StoreException("cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        String url = "jdbc:sqlite:" + dataDir.resolve(FILE_NAME).toAbsolutePath();
        Connection writer = null;
        try {
            writer = DriverManager.getConnection(url, connectionProperties());
            try (Statement s = writer.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=" + (durability == Durability.FSYNC ? "FULL" : "NORMAL"));
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("PRAGMA wal_autocheckpoint=0"); // the GroupCommitter checkpoints when idle
            }
            Schema.migrate(writer);
            return new SqliteDatabase(writer, readPool(url));
        } catch (SQLException e) {
            closeQuietly(writer);
            throw new StoreException("cannot open the database " + url + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(writer);
            throw e;
        }
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

    /** Where every write goes; its writes run on the writer thread, its statements are prepared there. */
    GroupCommitter committer() {
        return committer;
    }

    /** Runs {@code query} on {@code sql}, prepared on a read connection: it sees what has been committed. */
    <R> R read(String sql, Query<R> query) {
        try (Connection c = readers.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            return query.run(s);
        } catch (SQLException e) {
            throw new StoreException("database read failed: " + e.getMessage(), e);
        }
    }

    /** Lets queued writes commit, then closes every connection. */
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
}
