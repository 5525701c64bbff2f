package dev.flowgate.benchmarks;

import dev.flowgate.intake.Intake;
import dev.flowgate.intake.ParseResult;
import dev.flowgate.intake.PaymentParser;
import dev.flowgate.metrics.Metrics;
import dev.flowgate.payment.AcceptResult;
import dev.flowgate.store.Durability;
import dev.flowgate.store.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The request path without HTTP: parse and validate a payment body, then journal it (group
 * commit, with or without fsync). {@code parse} alone shows the CPU cost per request; {@code accept}
 * with several threads shows what a group commit costs each of the callers sharing it.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -jar flowgate-benchmarks/target/benchmarks.jar IntakeBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class IntakeBenchmark {
    @Param({"FSYNC", "NO_FSYNC"})
    public Durability durability;

    private final PaymentParser parser = new PaymentParser();
    private Path dir;
    private SqliteStore store;
    private Intake intake;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("flowgate-bench");
        store = SqliteStore.open(dir, durability, Clock.systemUTC());
        intake = new Intake(store.journal(), payment -> { }, Metrics.NONE);
    }

    /**
     * Flat out, intake outruns the database's writer by far (one thread averaged 11 us per
     * payment here, about 90,000 a second); without a pause the intake log fills up within an iteration or two
     * and refuses payments, as it should, which would end the benchmark.
     */
    @TearDown(Level.Iteration)
    public void letTheDatabaseCatchUp() throws InterruptedException {
        Thread.sleep(3_000);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static byte[] body() {
        return ("{\"correlationId\":\"" + UUID.randomUUID() + "\",\"amount\":19.90}").getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public ParseResult parse() {
        return parser.parse(body());
    }

    @Benchmark
    @Threads(1)
    public AcceptResult acceptAlone() {
        return accept();
    }

    @Benchmark
    @Threads(16)
    public AcceptResult acceptSixteenAtOnce() {
        return accept();
    }

    private AcceptResult accept() {
        return switch (parser.parse(body())) {
            case ParseResult.Valid valid -> intake.accept(valid.payment());
            case ParseResult.Invalid invalid -> throw new IllegalStateException(invalid.problem().detail());
        };
    }
}
