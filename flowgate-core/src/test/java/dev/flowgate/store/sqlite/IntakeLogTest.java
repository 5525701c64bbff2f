package dev.flowgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IntakeLogTest {
    private static final int SEGMENT_RECORDS = 4;
    private static final long HEADER_BYTES = 4096;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("intake.log");
    }

    private IntakeLog open() {
        return IntakeLog.open(file(), true, SEGMENT_RECORDS);
    }

    private static IntakeLog.Entry entry(long cents) {
        return new IntakeLog.Entry(UUID.randomUUID(), cents, 1_752_580_800_000L + cents);
    }

    @Test
    void appendedEntriesAreRecoveredWhenTheLogIsOpenedAgain() {
        List<IntakeLog.Entry> appended = List.of(entry(1), entry(2), entry(3));
        try (IntakeLog log = open()) {
            assertThat(log.recovered()).isEmpty();
            appended.forEach(log::append);
        }
        try (IntakeLog log = open()) {
            assertThat(log.recovered()).containsExactlyElementsOf(appended);
        }
    }

    @Test
    void aNewGenerationForgetsEveryEarlierEntry() {
        IntakeLog.Entry after = entry(9);
        try (IntakeLog log = open()) {
            log.append(entry(1));
            log.append(entry(2));
            log.startGeneration();
            log.append(after);
        }
        try (IntakeLog log = open()) {
            assertThat(log.recovered()).containsExactly(after);
        }
    }

    @Test
    void aTornRecordIsSkippedAndTheOthersAreKept() throws IOException {
        IntakeLog.Entry first = entry(1);
        IntakeLog.Entry third = entry(3);
        try (IntakeLog log = open()) {
            log.append(first);
            log.append(entry(2));
            log.append(third);
        }
        try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {(byte) 0xFF}), HEADER_BYTES + IntakeLog.RECORD_BYTES + 20);
        }
        try (IntakeLog log = open()) {
            assertThat(log.recovered()).containsExactly(first, third);
        }
    }

    @Test
    void writingMovesToTheOtherSegmentOnceTheDatabaseHasTakenInTheFirst() {
        try (IntakeLog log = open()) {
            List<IntakeLog.Ticket> tickets = new ArrayList<>();
            for (int i = 0; i < 2 * SEGMENT_RECORDS; i++) {
                tickets.add(log.append(entry(i)));
            }
            assertThat(tickets).extracting(IntakeLog.Ticket::segment).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
            tickets.subList(0, SEGMENT_RECORDS).forEach(log::applied);
            IntakeLog.Ticket reused = log.append(entry(100));
            assertThat(reused.segment()).isZero();
        }
    }

    @Test
    void aFullLogRefusesPaymentsRatherThanOverwriteOnesTheDatabaseLacks() {
        try (IntakeLog log = open()) {
            for (int i = 0; i < 2 * SEGMENT_RECORDS; i++) {
                log.append(entry(i));
            }
            assertThatThrownBy(() -> log.append(entry(100)))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("full");
        }
        try (IntakeLog log = open()) {
            assertThat(log.recovered()).hasSize(2 * SEGMENT_RECORDS);
        }
    }

    @Test
    void aFullLogAcceptsPaymentsAgainOnceTheDatabaseHasCaughtUp() {
        IntakeLog.Entry accepted = entry(200);
        try (IntakeLog log = open()) {
            List<IntakeLog.Ticket> tickets = new ArrayList<>();
            for (int i = 0; i < 2 * SEGMENT_RECORDS; i++) {
                tickets.add(log.append(entry(i)));
            }
            assertThatThrownBy(() -> log.append(entry(100))).hasMessageContaining("full");
            assertThatThrownBy(() -> log.append(entry(101))).hasMessageContaining("full");

            tickets.subList(0, SEGMENT_RECORDS).forEach(log::applied);
            assertThat(log.append(accepted).segment()).isZero();
        }
        try (IntakeLog log = open()) {
            assertThat(log.recovered()).contains(accepted)
                    .noneMatch(e -> e.amountCents() == 100 || e.amountCents() == 101);
        }
    }

    @Test
    void concurrentAppendsToAFullLogAreEachEitherDurableOrRefused() throws Exception {
        int appends = 60;
        int accepted = 0;
        List<IntakeLog.Entry> durable = new ArrayList<>();
        try (IntakeLog log = open(); ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<IntakeLog.Ticket>> tickets = new ArrayList<>();
            List<IntakeLog.Entry> entries = new ArrayList<>();
            for (int i = 0; i < appends; i++) {
                IntakeLog.Entry entry = entry(i);
                entries.add(entry);
                tickets.add(pool.submit(() -> log.append(entry)));
            }
            for (int i = 0; i < appends; i++) {
                try {
                    tickets.get(i).get();
                    durable.add(entries.get(i));
                    accepted++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(StoreException.class);
                }
            }
        }
        assertThat(accepted).isLessThanOrEqualTo(2 * SEGMENT_RECORDS);
        try (IntakeLog log = open()) {
            assertThat(log.recovered()).containsExactlyInAnyOrderElementsOf(durable);
        }
    }

    @ParameterizedTest(name = "fsync {0}")
    @ValueSource(booleans = {true, false})
    void concurrentAppendsAreAllDurable(boolean fsync) throws Exception {
        Path big = dir.resolve("big.log");
        List<IntakeLog.Entry> appended = new ArrayList<>();
        try (IntakeLog log = IntakeLog.open(big, fsync, 1024);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<IntakeLog.Ticket>> tickets = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                IntakeLog.Entry entry = entry(i);
                appended.add(entry);
                tickets.add(pool.submit(() -> log.append(entry)));
            }
            for (Future<IntakeLog.Ticket> ticket : tickets) {
                ticket.get();
            }
        }
        try (IntakeLog log = IntakeLog.open(big, true, 1024)) {
            assertThat(log.recovered()).containsExactlyInAnyOrderElementsOf(appended);
        }
    }

    @Test
    void aFileOfAnotherSizeIsRefused() throws IOException {
        Files.write(file(), new byte[1000]);
        assertThatThrownBy(this::open).isInstanceOf(StoreException.class).hasMessageContaining("1000 bytes");
    }

    @Test
    void aDamagedHeaderIsRefused() throws IOException {
        open().close();
        try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 4);
        }
        assertThatThrownBy(this::open).isInstanceOf(StoreException.class).hasMessageContaining("damaged header");
    }

    @Test
    void aClosedLogRefusesAppends() {
        IntakeLog log = open();
        log.close();
        assertThatThrownBy(() -> log.append(entry(1))).isInstanceOf(StoreException.class).hasMessageContaining("closed");
    }
}
