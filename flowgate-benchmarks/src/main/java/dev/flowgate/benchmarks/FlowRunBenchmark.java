package dev.flowgate.benchmarks;

import dev.flowgate.flow.ScriptEnvironment;
import dev.flowgate.flow.ScriptLimits;
import dev.flowgate.flow.ScriptResult;
import dev.flowgate.flow.ScriptSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One sandboxed run of the seeds' payment intent response flow (examples/flows), with its
 * Stripe object as {@code parsed_data}: a fresh scope, the ids, the JSON value, the script (compiled
 * once, cached by path and modification time), its prints and context writes. Logging is off
 * ({@code print} also logs), so this is the sandbox's own cost.
 *
 * <pre>
 * java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar flowgate-benchmarks/target/benchmarks.jar FlowRunBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class FlowRunBenchmark {
    private static final String PAYMENT_INTENT = """
            {"id":"pi_3MtwBwLkdIwHu7ix28a3tqPa","object":"payment_intent","amount":2000,"currency":"usd",
             "status":"requires_payment_method","customer":"cus_123","metadata":{}}""";

    private final ScriptSandbox sandbox = new ScriptSandbox(ScriptLimits.DEFAULT);
    private final ScriptEnvironment environment = new ScriptEnvironment("payment-worker-1", "context-123", "stripe",
            "task-1", Map.of("parsed_data", PAYMENT_INTENT), ScriptEnvironment.SavedContext.NONE);
    private Path flow;

    @Setup(Level.Trial)
    public void copyTheFlow() throws IOException {
        flow = Files.createTempFile("flow", ".js");
        Files.copy(Path.of("examples/flows/new_create_payment_intent_response.js"), flow,
                StandardCopyOption.REPLACE_EXISTING);
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        Files.deleteIfExists(flow);
    }

    @Benchmark
    public ScriptResult runTheResponseFlow() {
        return sandbox.runFile(flow, environment);
    }
}
