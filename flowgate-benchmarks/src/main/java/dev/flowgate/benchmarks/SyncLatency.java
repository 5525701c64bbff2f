package dev.flowgate.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;

/**
 * How long one {@code fdatasync} of a small record takes on the disk under a directory: the floor
 * of intake latency with fsync durability. Appends 48-byte records, one every millisecond, and syncs
 * after each; once to a file written full of zeros beforehand (what {@code IntakeLog} does) and once
 * to a file that grows with every record.
 *
 * <pre>
 * java -cp flowgate-benchmarks/target/benchmarks.jar dev.flowgate.benchmarks.SyncLatency ./data 5000
 * </pre>
 */
public final class SyncLatency {
    private static final int RECORD_BYTES = 48;
    private static final int ZERO_CHUNK = 1 << 20;

    private SyncLatency() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: SyncLatency DIRECTORY SYNCS");
            System.exit(2);
        }
        Path directory = Path.of(args[0]);
        int syncs = Integer.parseInt(args[1]);
        if (syncs < 100 || syncs > 1_000_000) {
            System.err.println("SYNCS must be 100..1000000");
            System.exit(2);
        }
        Files.createDirectories(directory);
        Path file = directory.resolve("sync-latency.bin");
        try {
            report("zeroed file ", measure(file, syncs, true));
            report("growing file", measure(file, syncs, false));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long[] measure(Path file, int syncs, boolean zeroed) throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (zeroed) {
                ByteBuffer zeros = ByteBuffer.allocate(ZERO_CHUNK);
                for (long position = 0; position < (long) syncs * RECORD_BYTES; position += ZERO_CHUNK) {
                    channel.write(zeros.clear(), position);
                }
                channel.force(true);
            }
            ByteBuffer record = ByteBuffer.allocate(RECORD_BYTES);
            long[] nanos = new long[syncs];
            for (int i = 0; i < syncs; i++) {
                record.clear().putLong(0, i);
                long start = System.nanoTime();
                channel.write(record, (long) i * RECORD_BYTES);
                channel.force(false);
                nanos[i] = System.nanoTime() - start;
                Thread.sleep(Duration.ofMillis(1));
            }
            return nanos;
        }
    }

    private static void report(String label, long[] nanos) {
        Arrays.sort(nanos);
        int n = nanos.length;
        System.out.printf("%s syncs %d  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms%n", label, n,
                ms(nanos[n / 2]), ms(nanos[n * 9 / 10]), ms(nanos[n * 99 / 100]), ms(nanos[n * 999 / 1000]),
                ms(nanos[n - 1]));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
