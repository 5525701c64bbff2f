package dev.flowgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.ledger.Ledger;
import dev.flowgate.ledger.Totals;
import dev.flowgate.payment.Payment;
import dev.flowgate.store.Durability;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteLedgerTest {
    @TempDir
    Path dir;
    private SqliteStore store;
    private Ledger ledger;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC());
        ledger = store.ledger();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void onlyProcessedPaymentsEnterTheLedgerOnce() {
        UUID id = UUID.randomUUID();
        Instant at = Instant.parse("2025-07-15T12:00:00.123Z");
        store.journal().append(new Payment(id, 2005));
        assertThat(ledger.summary(null, null)).isEmpty();
        assertThat(store.journal().attemptStarted(id, "default", at)).isTrue();
        store.journal().processed(id, "default", at);
        store.journal().processed(id, "fallback", at);
        assertThat(ledger.summary(null, null)).isEqualTo(Map.of("default", new Totals(1, 2005)));
        assertThat(store.journal().attemptStarted(id, "fallback", at)).as("a final payment is never sent again").isFalse();
    }

    @Test
    void theSummaryWindowIsInclusiveAtBothEnds() {
        Instant t0 = Instant.parse("2025-07-15T12:00:00.000Z");
        settle("default", t0, 100);
        settle("default", t0.plusMillis(1), 200);
        settle("fallback", t0.plusMillis(2), 400);
        assertThat(ledger.summary(t0, t0.plusMillis(1))).isEqualTo(Map.of("default", new Totals(2, 300)));
        assertThat(ledger.summary(t0.plusMillis(1), null))
                .isEqualTo(Map.of("default", new Totals(1, 200), "fallback", new Totals(1, 400)));
        assertThat(ledger.summary(null, t0)).isEqualTo(Map.of("default", new Totals(1, 100)));
        assertThat(ledger.summary(t0.plusNanos(1), t0.plusMillis(1))).isEqualTo(Map.of("default", new Totals(1, 200)));
    }

    @Test
    void settledPaymentsStayInTheLedgerAcrossARestart() {
        Instant at = Instant.parse("2025-07-15T12:00:00Z");
        settle("default", at, 2005);
        store.close();
        store = SqliteStore.open(dir, Durability.FSYNC, Clock.systemUTC());
        assertThat(store.ledger().summary(null, null)).isEqualTo(Map.of("default", new Totals(1, 2005)));
    }

    private void settle(String processor, Instant at, long cents) {
        UUID id = UUID.randomUUID();
        store.journal().append(new Payment(id, cents));
        store.journal().attemptStarted(id, processor, at);
        store.journal().processed(id, processor, at);
    }
}
