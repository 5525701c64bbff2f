package dev.flowgate.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.metrics.Metrics;
import dev.flowgate.store.Durability;
import dev.flowgate.store.sqlite.SqliteStore;
import dev.flowgate.task.NewTask;
import dev.flowgate.task.Task;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskQuery;
import dev.flowgate.task.TaskRuntime;
import dev.flowgate.task.TaskStatus;
import dev.flowgate.work.Backoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flow tasks through the real runtime, store and sandbox. */
class FlowTasksTest {
    @TempDir
    Path dir;
    private final Random random = new Random(5);
    private SqliteStore store;
    private ScriptSandbox sandbox;
    private FlowTasks flows;
    private TaskRuntime runtime;
    private Path flowsDir;

    @BeforeEach
    void start() throws Exception {
        flowsDir = Files.createDirectories(dir.resolve("flows"));
        store = SqliteStore.open(dir.resolve("data"), Durability.NO_FSYNC, Clock.systemUTC());
        sandbox = new ScriptSandbox(ScriptLimits.DEFAULT);
        flows = new FlowTasks(sandbox, flowsDir, store.tasks(), Clock.systemUTC(), random);
        runtime = new TaskRuntime(store.tasks(), Map.of(FlowTasks.KIND, flows),
                new TaskRuntime.Settings("test", 8, Duration.ofSeconds(30), Duration.ofMillis(20),
                        new Backoff(Duration.ofMillis(10), Duration.ofMillis(20))), Clock.systemUTC(), random, Metrics.NONE);
    }

    @AfterEach
    void stop() {
        runtime.close();
        sandbox.close();
        store.close();
    }

    private TaskId submit(FlowRequest request, String contextId, int maxAttempts) {
        NewTask task = flows.task(null, request, "worker-1", contextId, "api", maxAttempts);
        store.tasks().enqueue(task).join();
        runtime.wake();
        return task.id();
    }

    private Task await(TaskId id, Predicate<Task> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Task task = store.tasks().find(id).orElseThrow();
        while (!condition.test(task) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            task = store.tasks().find(id).orElseThrow();
        }
        return task;
    }

    private Task awaitEnd(TaskId id) throws InterruptedException {
        return await(id, t -> t.status() == TaskStatus.COMPLETED || t.status() == TaskStatus.ERROR);
    }

    @Test
    void aScriptTaskCompletesWithWhatItPrinted() throws Exception {
        Task done = awaitEnd(submit(FlowRequest.ofScript("print('hi', input.n, CALLER_ID)", Map.of("input", "{\"n\":3}")),
                "ctx-1", 3));
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(done.output()).isEqualTo("hi 3 api\n");
    }

    @Test
    void aDispatchRunsTheNextFlowOnTheSameWorkerAndContextSeeingWhatTheFirstSaved() throws Exception {
        Files.writeString(flowsDir.resolve("first.js"), "set_context('customer', 'cus_1'); dispatch('second', {n: 2});");
        Files.writeString(flowsDir.resolve("second.js"), "print(get_context('customer'), input.n, WORKER_ID, CALLER_ID);");
        TaskId first = submit(FlowRequest.ofFlow("first", Map.of()), "ctx-chain", 3);
        assertThat(awaitEnd(first).status()).isEqualTo(TaskStatus.COMPLETED);

        List<Task> context = store.tasks().list(new TaskQuery(null, "ctx-chain", null), null, 10);
        assertThat(context).hasSize(2);
        Task second = awaitEnd(context.stream().filter(t -> !t.id().equals(first)).findFirst().orElseThrow().id());
        assertThat(second.output()).isEqualTo("cus_1 2 worker-1 flow\n");
        assertThat(store.tasks().contextValue("ctx-chain", "customer")).contains("\"cus_1\"");
    }

    @Test
    void aFailingRunFailsItsAttemptWithMessageAndLineAndSavesNothingItWrote() throws Exception {
        Files.writeString(flowsDir.resolve("broken.js"), "set_context('half', true);\ndispatch('never', {});\nnull.x;");
        Task dead = awaitEnd(submit(FlowRequest.ofFlow("broken", Map.of()), "ctx-broken", 2));
        assertThat(dead.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(dead.error()).startsWith("failed 2 times; the last: TypeError:").endsWith("(line 3)");
        assertThat(store.tasks().contextValue("ctx-broken", "half")).isEmpty();
        assertThat(store.tasks().list(new TaskQuery(null, "ctx-broken", null), null, 10)).hasSize(1);
    }

    @Test
    void aFlowThatDoesNotExistCompletesDoingNothing() throws Exception {
        Task done = awaitEnd(submit(FlowRequest.ofFlow("payment_failed", Map.of()), null, 3));
        assertThat(done.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(done.output()).isEqualTo("no flow payment_failed");
    }

    @Test
    void aMalformedPayloadIsADeadLetterAtOnce() throws Exception {
        TaskId id = TaskId.generate(System.currentTimeMillis(), random);
        store.tasks().enqueue(new NewTask(id, FlowTasks.KIND, "{\"flow\": 7}", "worker-1", null, "api", 0, Instant.now(), 5))
                .join();
        runtime.wake();
        Task dead = awaitEnd(id);
        assertThat(dead.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(dead.attempts()).isOne();
        assertThat(dead.error()).isEqualTo("'flow' is a string");
    }

    @Test
    void aPayloadReadsBackAsItWasWritten() {
        FlowRequest request = FlowRequest.ofFlow("new_create_payment_intent_response",
                Map.of("parsed_data", "{\"id\":\"pi_1\",\"amount\":2000}"));
        assertThat(FlowRequest.parse(request.toJson())).isEqualTo(request);
    }
}
