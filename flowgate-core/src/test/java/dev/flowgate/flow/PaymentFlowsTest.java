package dev.flowgate.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.metrics.Metrics;
import dev.flowgate.payment.Payment;
import dev.flowgate.store.Durability;
import dev.flowgate.store.sqlite.SqliteStore;
import dev.flowgate.task.Task;
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
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** payment_processed.js and payment_failed.js, queued as settlement ends a payment, run through the real runtime. */
class PaymentFlowsTest {
    @TempDir
    Path dir;
    private SqliteStore store;
    private ScriptSandbox sandbox;
    private TaskRuntime runtime;
    private Path flowsDir;
    private PaymentFlows paymentFlows;

    @BeforeEach
    void start() throws Exception {
        Random random = new Random(3);
        flowsDir = Files.createDirectories(dir.resolve("flows"));
        store = SqliteStore.open(dir.resolve("data"), Durability.NO_FSYNC, Clock.systemUTC());
        sandbox = new ScriptSandbox(ScriptLimits.DEFAULT);
        FlowTasks flows = new FlowTasks(sandbox, flowsDir, store.tasks(), Clock.systemUTC(), random);
        runtime = new TaskRuntime(store.tasks(), Map.of(FlowTasks.KIND, flows),
                new TaskRuntime.Settings("test", 8, Duration.ofSeconds(30), Duration.ofMillis(20),
                        new Backoff(Duration.ofMillis(5), Duration.ofMillis(10))), Clock.systemUTC(), random, Metrics.NONE);
        paymentFlows = new PaymentFlows(flows, runtime, flowsDir);
    }

    @AfterEach
    void stop() {
        runtime.close();
        sandbox.close();
        store.close();
    }

    private Task onlyTaskOf(UUID payment) throws InterruptedException {
        TaskQuery query = new TaskQuery(PaymentFlows.WORKER_ID, payment.toString(), null);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            List<Task> tasks = store.tasks().list(query, null, 10);
            if (!tasks.isEmpty() && tasks.getFirst().status() == TaskStatus.COMPLETED) {
                assertThat(tasks).hasSize(1);
                return tasks.getFirst();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no completed flow task for payment " + payment);
    }

    @Test
    void aProcessedPaymentRunsPaymentProcessedWithThePaymentAsParsedData() throws Exception {
        Files.copy(Path.of("../examples/flows/payment_processed.js"), flowsDir.resolve("payment_processed.js"));
        UUID id = UUID.randomUUID();
        paymentFlows.processed(new Payment(id, 1990), "default", Instant.parse("2026-12-04T10:00:00Z"));
        Task task = onlyTaskOf(id);
        assertThat(task.callerId()).isEqualTo(PaymentFlows.CALLER_ID);
        assertThat(task.output()).isEqualTo("paid 19.9 through default (" + id + ")\n");
        assertThat(store.tasks().contextValue(id.toString(), "last_payment")).contains("\"" + id + "\"");
    }

    @Test
    void aFailedPaymentRunsPaymentFailedWithItsReason() throws Exception {
        Files.writeString(flowsDir.resolve("payment_failed.js"), "print(parsed_data.status, parsed_data.amount, parsed_data.lastError)");
        UUID id = UUID.randomUUID();
        paymentFlows.failed(new Payment(id, 500), "pinned to a processor no longer configured");
        assertThat(onlyTaskOf(id).output()).isEqualTo("failed 5 pinned to a processor no longer configured\n");
    }

    @Test
    void withoutTheFlowsFileNothingIsQueued() throws Exception {
        UUID id = UUID.randomUUID();
        paymentFlows.processed(new Payment(id, 100), "default", Instant.now());
        paymentFlows.failed(new Payment(id, 100), "a reason");
        Thread.sleep(100);
        assertThat(store.tasks().list(TaskQuery.ALL, null, 10)).isEmpty();
    }
}
