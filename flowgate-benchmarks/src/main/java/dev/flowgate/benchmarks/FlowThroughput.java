package dev.flowgate.benchmarks;

import dev.flowgate.flow.Dispatcher;
import dev.flowgate.flow.FlowTasks;
import dev.flowgate.flow.ScriptLimits;
import dev.flowgate.flow.ScriptSandbox;
import dev.flowgate.metrics.Metrics;
import dev.flowgate.store.Durability;
import dev.flowgate.store.sqlite.SqliteStore;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskOutcome;
import dev.flowgate.task.TaskRuntime;
import dev.flowgate.work.Backoff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * Flows through the dispatcher, end to end on the embedded store: what {@code submit()} costs its
 * caller, how long until the sandbox starts the script, and how many flow tasks a second the store,
 * the runtime and the sandbox drain flat out. Each task runs a small script that prints (and, with
 * contexts, saves a context value, written in its end's transaction).
 * The runtime is the engine's (64 running at once, 30 s leases); the claim-to-run hook that records
 * when a script starts is the only thing added.
 *
 * <p>After an unmeasured warm-up of 20,000 tasks, two phases: {@code paced} submits RATE tasks a second for SECONDS; {@code drain} submits as
 * many at once and times the runtime through them. CONTEXTS spreads the tasks over that many
 * contexts (each runs its tasks one at a time, in order); 0 gives them none.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
 *     -cp flowgate-benchmarks/target/benchmarks.jar dev.flowgate.benchmarks.FlowThroughput ./data fsync 1000 20 0
 * </pre>
 */
public final class FlowThroughput {
    /** What each task runs; with contexts, it also saves a context value (a run without a context cannot). */
    private static final String SCRIPT = "print('paid', input.n);";
    private static final int WARM_UP = 20_000;
    private static final String CONTEXT_SCRIPT = "print('paid', input.n); set_context('last', input.n);";

    private FlowThroughput() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5 || !(args[1].equals("fsync") || args[1].equals("no-fsync"))) {
            System.err.println("usage: FlowThroughput DIRECTORY fsync|no-fsync RATE SECONDS CONTEXTS");
            System.exit(2);
        }
        Path parent = Path.of(args[0]);
        Durability durability = args[1].equals("fsync") ? Durability.FSYNC : Durability.NO_FSYNC;
        int rate = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int contexts = Integer.parseInt(args[4]);
        if (rate < 1 || rate > 100_000 || seconds < 1 || seconds > 600 || contexts < 0 || contexts > 100_000) {
            System.err.println("RATE must be 1..100000, SECONDS 1..600 and CONTEXTS 0..100000");
            System.exit(2);
        }
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "flow-throughput");
        try {
            run(dir, durability, rate, seconds, contexts);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Path dir, Durability durability, int rate, int seconds, int contexts) throws Exception {
        int count = rate * seconds;
        Map<TaskId, Long> startedAt = new ConcurrentHashMap<>(4 * count);
        CountDownLatch[] phaseDone = {new CountDownLatch(count), new CountDownLatch(count), new CountDownLatch(WARM_UP)};
        RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
        Clock clock = Clock.systemUTC();
        try (SqliteStore store = SqliteStore.open(dir, durability, clock);
             ScriptSandbox sandbox = new ScriptSandbox(ScriptLimits.DEFAULT)) {
            FlowTasks flows = new FlowTasks(sandbox, dir.resolve("flows"), store.tasks(), clock, random);
            try (TaskRuntime runtime = new TaskRuntime(store.tasks(), Map.of(FlowTasks.KIND, task -> {
                startedAt.put(task.id(), System.nanoTime());
                TaskOutcome outcome = flows.run(task);
                phaseDone[task.payload().contains("\"phase\":0") ? 0 : task.payload().contains("\"phase\":1") ? 1 : 2]
                        .countDown();
                return outcome;
            }), new TaskRuntime.Settings("bench", 64, Duration.ofSeconds(30), Duration.ofSeconds(1),
                    new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10))), clock, random, Metrics.NONE)) {
                Dispatcher[] dispatchers = new Dispatcher[Math.max(1, contexts)];
                for (int c = 0; c < dispatchers.length; c++) {
                    dispatchers[c] = Dispatcher.builder(flows, runtime, store.tasks()).callerId("bench")
                            .workerId("bench-worker").contextId(contexts == 0 ? null : "context-" + c).build();
                }
                TaskId[] ids = new TaskId[count];
                long[] submittedAt = new long[count];
                long[] callNanos = new long[count];
                CompletableFuture<?>[] durable = new CompletableFuture<?>[count];
                String script = contexts == 0 ? SCRIPT : CONTEXT_SCRIPT;
                // Unmeasured: the JIT, the script's compilation and the store's first pages.
                for (int i = 0; i < WARM_UP; i++) {
                    dispatchers[i % dispatchers.length].newPlayRequest().script(script).input("{\"phase\":2,\"n\":" + i + "}")
                            .submit();
                    if (i % 1000 == 999) {
                        Thread.sleep(100);
                    }
                }
                if (!phaseDone[2].await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the warm-up's tasks had not run in 120 s");
                }
                long start = System.nanoTime();
                long interval = 1_000_000_000L / rate;
                for (int i = 0; i < count; i++) {
                    long wait = start + i * interval - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    long before = System.nanoTime();
                    Dispatcher.Submission submission = dispatchers[i % dispatchers.length].newPlayRequest().script(script)
                            .input("{\"phase\":0,\"n\":" + i + "}").submit();
                    callNanos[i] = System.nanoTime() - before;
                    submittedAt[i] = before;
                    ids[i] = submission.id();
                    durable[i] = submission.durable();
                }
                CompletableFuture.allOf(durable).get(60, TimeUnit.SECONDS);
                if (!phaseDone[0].await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(phaseDone[0].getCount() + " of " + count + " paced tasks had not run in 120 s");
                }
                long[] untilStart = new long[count];
                for (int i = 0; i < count; i++) {
                    untilStart[i] = startedAt.get(ids[i]) - submittedAt[i];
                }
                System.out.printf("%s, %s, paced %d flow tasks/s for %d s%n", durability,
                        contexts == 0 ? "no contexts" : contexts + " contexts", rate, seconds);
                TaskThroughput.report("submit() call", callNanos);
                TaskThroughput.report("until started", untilStart);

                long drainStart = System.nanoTime();
                CompletableFuture<?>[] drained = new CompletableFuture<?>[count];
                for (int i = 0; i < count; i++) {
                    drained[i] = dispatchers[i % dispatchers.length].newPlayRequest().script(script)
                            .input("{\"phase\":1,\"n\":" + i + "}").submit().durable();
                }
                CompletableFuture.allOf(drained).get(60, TimeUnit.SECONDS);
                double enqueueSeconds = (System.nanoTime() - drainStart) / 1e9;
                if (!phaseDone[1].await(300, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(phaseDone[1].getCount() + " of " + count + " drained tasks had not run in 300 s");
                }
                double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
                System.out.printf("drain: %d flow tasks submitted (durable) in %.2f s, all run in %.2f s: %.0f tasks/s%n",
                        count, enqueueSeconds, drainSeconds, count / drainSeconds);
            }
        }
    }
}
