package dev.flowgate.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What a durable acknowledgement costs on this disk: syncs back to back for a while (a 48-byte
 * write and an {@code fdatasync} each, the intake log's pattern), then, for a million arrival
 * instants drawn uniformly over the run, how long each would wait for the end of the first sync
 * that starts after it. That wait, not the sync latency, is what a request meets: one 500 ms stall
 * among 700,000 quick syncs is 0.0001 % of the syncs but catches ~0.5 % of the arrivals.
 *
 * <pre>
 * java -cp flowgate-benchmarks/target/benchmarks.jar dev.flowgate.benchmarks.SyncArrivalWait ./data 120
 * </pre>
 */
public final class SyncArrivalWait {
    private static final int RECORD_BYTES = 48;
    private static final int ARRIVALS = 1_000_000;
    private static final int FILE_BYTES = 64 << 20;

    private SyncArrivalWait() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SyncArrivalWait <directory> <seconds>");
            System.exit(2);
        }
        Path file = Files.createTempFile(Path.of(args[0]), "sync-arrival", ".bin");
        Duration length = Duration.ofSeconds(Long.parseLong(args[1]));
        long[] starts = new long[1 << 16];
        long[] ends = new long[1 << 16];
        int count = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long at = 0; at < FILE_BYTES; at += zeros.capacity()) {
                channel.write(zeros.clear(), at);
            }
            channel.force(true);
            ByteBuffer record = ByteBuffer.allocate(RECORD_BYTES);
            long position = 0;
            long deadline = System.nanoTime() + length.toNanos();
            while (true) {
                long start = System.nanoTime();
                if (start > deadline) {
                    break;
                }
                channel.write(record.clear(), position);
                position = (position + RECORD_BYTES) % (FILE_BYTES - RECORD_BYTES);
                channel.force(false);
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                    ends = Arrays.copyOf(ends, count * 2);
                }
                starts[count] = start;
                ends[count] = System.nanoTime();
                count++;
            }
        } finally {
            Files.deleteIfExists(file);
        }
        report(Arrays.copyOf(starts, count), Arrays.copyOf(ends, count), length);
    }

    private static void report(long[] starts, long[] ends, Duration length) {
        long[] latencies = new long[starts.length];
        for (int i = 0; i < starts.length; i++) {
            latencies[i] = ends[i] - starts[i];
        }
        Arrays.sort(latencies);
        double[] waits = new double[ARRIVALS];
        SplittableRandom random = new SplittableRandom(42);
        long first = starts[0];
        long last = starts[starts.length - 1];
        for (int i = 0; i < ARRIVALS; i++) {
            long arrival = first + random.nextLong(last - first);
            int next = Arrays.binarySearch(starts, arrival);
            next = next >= 0 ? next : -next - 1; // the first sync that starts at or after the arrival
            waits[i] = (ends[next] - arrival) / 1e6;
        }
        Arrays.sort(waits);
        System.out.printf("%d syncs in %d s; sync latency ms: p50 %.2f, p99 %.2f, max %.1f%n", starts.length,
                length.toSeconds(), latencies[latencies.length / 2] / 1e6, latencies[(int) (latencies.length * 0.99)] / 1e6,
                latencies[latencies.length - 1] / 1e6);
        System.out.printf("wait of a random arrival ms: p50 %.2f, p99 %.2f, p99.9 %.2f, max %.1f%n",
                waits[ARRIVALS / 2], waits[(int) (ARRIVALS * 0.99)], waits[(int) (ARRIVALS * 0.999)], waits[ARRIVALS - 1]);
    }
}
