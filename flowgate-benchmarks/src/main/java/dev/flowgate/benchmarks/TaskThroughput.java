package dev.flowgate.benchmarks;

import dev.flowgate.metrics.Metrics;
import dev.flowgate.store.Durability;
import dev.flowgate.store.sqlite.SqliteStore;
import dev.flowgate.task.NewTask;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskOutcome;
import dev.flowgate.task.TaskRuntime;
import dev.flowgate.work.Backoff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * The task runtime on the embedded store, end to end: what an enqueue costs its caller, how long
 * until the task is durable, how long until a handler runs it, and how many tasks a second the
 * store and runtime drain flat out. Tasks go to 64 contexts, a handler that does nothing.
 *
 * <p>Two phases: {@code paced} enqueues RATE tasks a second for SECONDS (the caller's view at a
 * steady rate); {@code drain} enqueues as many tasks at once and times the runtime through them.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp flowgate-benchmarks/target/benchmarks.jar \
 *     dev.flowgate.benchmarks.TaskThroughput ./data no-fsync 600 60
 * </pre>
 */
public final class TaskThroughput {
    private static final int CONTEXTS = 64;

    private TaskThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !(args[1].equals("fsync") || args[1].equals("no-fsync"))) {
            System.err.println("usage: TaskThroughput DIRECTORY fsync|no-fsync RATE SECONDS");
            System.exit(2);
        }
        Path parent = Path.of(args[0]);
        Durability durability = args[1].equals("fsync") ? Durability.FSYNC : Durability.NO_FSYNC;
        int rate = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        if (rate < 1 || rate > 100_000 || seconds < 1 || seconds > 600) {
            System.err.println("RATE must be 1..100000 and SECONDS 1..600");
            System.exit(2);
        }
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "task-throughput");
        try {
            run(dir, durability, rate, seconds);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Path dir, Durability durability, int rate, int seconds) throws Exception {
        int count = rate * seconds;
        long[] ranAt = new long[2 * count];
        long[] enqueuedAt = new long[2 * count];
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch[] phaseDone = {new CountDownLatch(count), new CountDownLatch(count)};
        RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
        try (SqliteStore store = SqliteStore.open(dir, durability, Clock.systemUTC());
             TaskRuntime runtime = new TaskRuntime(store.tasks(), Map.of("noop", task -> {
                 int n = Integer.parseInt(task.payload());
                 ranAt[n] = System.nanoTime();
                 ran.incrementAndGet();
                 phaseDone[n / count].countDown();
                 return new TaskOutcome.Done(null);
             }), new TaskRuntime.Settings("bench", 64, Duration.ofSeconds(30), Duration.ofSeconds(1),
                     new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1))), Clock.systemUTC(), random, Metrics.NONE)) {
            long[] callNanos = new long[count];
            long[] durableNanos = new long[count];
            long start = System.nanoTime();
            long interval = 1_000_000_000L / rate;
            CompletableFuture<?>[] durable = new CompletableFuture<?>[count];
            for (int i = 0; i < count; i++) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                int n = i;
                long before = System.nanoTime();
                enqueuedAt[n] = before;
                durable[n] = store.tasks().enqueue(task(n, random)).thenRun(() -> durableNanos[n] = System.nanoTime() - before);
                callNanos[n] = System.nanoTime() - before;
                runtime.wake();
            }
            CompletableFuture.allOf(durable).get(60, TimeUnit.SECONDS);
            if (!phaseDone[0].await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + ran.get() + " of " + count + " paced tasks ran in 120 s");
            }
            long[] untilRun = new long[count];
            for (int i = 0; i < count; i++) {
                untilRun[i] = ranAt[i] - enqueuedAt[i];
            }
            System.out.printf("%s, paced %d tasks/s for %d s%n", durability, rate, seconds);
            report("enqueue call", callNanos);
            report("until durable", durableNanos);
            report("until run", untilRun);

            long drainStart = System.nanoTime();
            CompletableFuture<?>[] drained = new CompletableFuture<?>[count];
            for (int i = 0; i < count; i++) {
                drained[i] = store.tasks().enqueue(task(count + i, random));
            }
            runtime.wake();
            CompletableFuture.allOf(drained).get(60, TimeUnit.SECONDS);
            double enqueueSeconds = (System.nanoTime() - drainStart) / 1e9;
            if (!phaseDone[1].await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + (ran.get() - count) + " of " + count + " drained tasks ran in 300 s");
            }
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            System.out.printf("drain: %d tasks enqueued (durable) in %.2f s, all run in %.2f s: %.0f tasks/s%n",
                    count, enqueueSeconds, drainSeconds, count / drainSeconds);
        }
    }

    private static NewTask task(int n, RandomGenerator random) {
        return new NewTask(TaskId.generate(System.currentTimeMillis(), random), "noop", Integer.toString(n), "bench",
                "context-" + (n % CONTEXTS), "bench", 0, Instant.now(), 3);
    }

    /** Prints the percentiles of {@code nanos} in microseconds; FlowThroughput prints its figures the same way. */
    static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("  %-14s p50 %9.1f us  p99 %9.1f us  p99.9 %9.1f us  max %9.1f us%n", what,
                at(sorted, 0.50), at(sorted, 0.99), at(sorted, 0.999), sorted[sorted.length - 1] / 1e3);
    }

    private static double at(long[] sorted, double quantile) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(quantile * (sorted.length - 1)))] / 1e3;
    }
}
