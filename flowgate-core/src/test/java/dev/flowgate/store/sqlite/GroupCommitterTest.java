package dev.flowgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.store.StoreException;
import dev.flowgate.store.sqlite.GroupCommitter.Urgency;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConnection;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitterTest {
    @TempDir
    Path dir;
    private Connection connection;
    private GroupCommitter committer;

    @BeforeEach
    void open() throws SQLException {
        connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("test.db"));
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=FULL");
            s.execute("PRAGMA wal_autocheckpoint=0");
            s.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)");
        }
        committer = new GroupCommitter(connection, "test-writer");
    }

    @AfterEach
    void close() throws SQLException {
        committer.close();
        connection.close();
    }

    @Test
    void theWriteAheadLogStaysBoundedUnderSteadyWrites() throws Exception {
        for (int i = 0; i < 6 * GroupCommitter.COMMITS_PER_CHECKPOINT; i++) {
            committer.execute(Urgency.NOW, this::insertRow); // one commit each
        }
        long walBytes = Files.size(dir.resolve("test.db-wal"));
        // Without checkpoints the log keeps at least one 4 KB frame per commit: over 6 MB here.
        assertThat(walBytes).isLessThan(4L * 1024 * 1024);
    }

    @Test
    void aFailingWriteIsRolledBackAloneAndTheOthersInItsCommitStand() throws Exception {
        var good = committer.submit(Urgency.DEFERRABLE, this::insertRow);
        var bad = committer.submit(Urgency.DEFERRABLE, c -> {
            insertRow(c);
            throw new SQLException("refused");
        });
        var alsoGood = committer.submit(Urgency.NOW, this::insertRow);
        assertThat(good.get()).isEqualTo(1);
        assertThat(alsoGood.get()).isEqualTo(1);
        assertThat(bad).isCompletedExceptionally();
        assertThat(count()).isEqualTo(2);
    }

    @Test
    void anUrgentWriteEndsTheGatheringAndSharesItsCommit() throws Exception {
        AtomicInteger commits = countCommits();
        var deferrable = committer.submit(Urgency.DEFERRABLE, this::insertRow);
        var urgent = committer.submit(Urgency.NOW, this::insertRow);
        assertThat(urgent.get()).isEqualTo(1);
        assertThat(deferrable).isCompletedWithValue(1);
        assertThat(commits.get()).isOne();
    }

    @Test
    void deferrableWritesGatherIntoFewCommits() throws Exception {
        AtomicInteger commits = countCommits();
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            writes.add(committer.submit(Urgency.DEFERRABLE, this::insertRow));
        }
        for (CompletableFuture<Integer> write : writes) {
            assertThat(write.get()).isEqualTo(1);
        }
        assertThat(count()).isEqualTo(100);
        assertThat(commits.get()).isLessThanOrEqualTo(50);
    }

    private AtomicInteger countCommits() {
        AtomicInteger commits = new AtomicInteger();
        ((SQLiteConnection) connection).addCommitListener(new SQLiteCommitListener() {
            @Override
            public void onCommit() {
                commits.incrementAndGet();
            }

            @Override
            public void onRollback() {
            }
        });
        return commits;
    }

    @Test
    void aWriteAfterCloseIsRefused() {
        committer.close();
        assertThatThrownBy(() -> committer.execute(Urgency.NOW, this::insertRow)).isInstanceOf(StoreException.class);
    }

    private int insertRow(Connection c) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO rows (payload) VALUES (?)")) {
            insert.setBytes(1, new byte[1024]);
            return insert.executeUpdate();
        }
    }

    private long count() throws SQLException {
        try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("test.db"));
             Statement s = reader.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM rows")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
