package dev.flowgate.benchmarks;

import dev.flowgate.flow.Dispatcher;
import dev.flowgate.flow.FlowTasks;
import dev.flowgate.flow.ScriptLimits;
import dev.flowgate.flow.ScriptSandbox;
import dev.flowgate.metrics.Metrics;
import dev.flowgate.store.Durability;
import dev.flowgate.store.sqlite.SqliteStore;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code Dispatcher...submit()} costs its caller: the task's id and payload, the checks, and
 * handing it to the store's writer (whose commit it starts). The store is real (embedded, in a
 * temporary directory), and so is the runtime, which claims and completes the submitted tasks
 * with a handler that does nothing, so the writer and the claimer share the machine with the
 * caller as they would in a server. The commit itself is not waited for: {@code durable()} is.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -jar flowgate-benchmarks/target/benchmarks.jar DispatcherSubmitBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "--enable-native-access=ALL-UNNAMED"})
public class DispatcherSubmitBenchmark {
    @Param({"no-fsync", "fsync"})
    public String durability;

    private Path dir;
    private SqliteStore store;
    private ScriptSandbox sandbox;
    private TaskRuntime runtime;
    private Dispatcher dispatcher;

    @Setup(Level.Trial)
    public void start() throws IOException {
        dir = Files.createTempDirectory("submit-benchmark");
        RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
        Clock clock = Clock.systemUTC();
        store = SqliteStore.open(dir, durability.equals("fsync") ? Durability.FSYNC : Durability.NO_FSYNC, clock);
        sandbox = new ScriptSandbox(ScriptLimits.DEFAULT);
        FlowTasks flows = new FlowTasks(sandbox, dir.resolve("flows"), store.tasks(), clock, random);
        runtime = new TaskRuntime(store.tasks(), Map.of(FlowTasks.KIND, task -> new TaskOutcome.Done(null)),
                new TaskRuntime.Settings("bench", 64, Duration.ofSeconds(30), Duration.ofSeconds(1),
                        new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10))), clock, random, Metrics.NONE);
        dispatcher = Dispatcher.builder(flows, runtime, store.tasks()).callerId("api").workerId("payment-worker-1")
                .contextId("context-123").build();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        runtime.close();
        sandbox.close();
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Dispatcher.Submission submit() {
        return dispatcher.newPlayRequest().script("print('hi')").input("{\"amount\":2000}").submit();
    }
}
