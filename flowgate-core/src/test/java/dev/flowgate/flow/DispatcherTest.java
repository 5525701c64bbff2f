package dev.flowgate.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seeds' dispatcher over the real runtime, store and sandbox. */
class DispatcherTest {
    @TempDir
    Path dir;
    private SqliteStore store;
    private ScriptSandbox sandbox;
    private TaskRuntime runtime;
    private FlowTasks flows;
    private Dispatcher dispatcher;

    @BeforeEach
    void start() throws Exception {
        Random random = new Random(7);
        store = SqliteStore.open(dir.resolve("data"), Durability.NO_FSYNC, Clock.systemUTC());
        sandbox = new ScriptSandbox(ScriptLimits.DEFAULT);
        flows = new FlowTasks(sandbox, Files.createDirectories(dir.resolve("flows")), store.tasks(), Clock.systemUTC(), random);
        runtime = new TaskRuntime(store.tasks(), Map.of(FlowTasks.KIND, flows,
                StepTasks.KIND, new StepTasks(sandbox, dir.resolve("flows"), store.tasks(), flows, Clock.systemUTC())),
                new TaskRuntime.Settings("test", 8, Duration.ofSeconds(30), Duration.ofMillis(20),
                        new Backoff(Duration.ofMillis(5), Duration.ofMillis(10))), Clock.systemUTC(), random, Metrics.NONE);
        dispatcher = builder().callerId("api").workerId("payment-worker-1").contextId("context-123").build();
    }

    private Dispatcher.Builder builder() {
        return Dispatcher.builder(flows, runtime, store.tasks());
    }

    @AfterEach
    void stop() {
        runtime.close();
        sandbox.close();
        store.close();
    }

    @Test
    void aFlowWithStepsStartedFromJavaRunsOnTheDispatchersWorkerAndContextAndReadsBackItsSteps() throws Exception {
        FlowDefinition onboard = FlowDefinition.named("onboard")
                .addStep(Step.named("customer").script("({id: 'cus_1', plan: input.plan})").timeout(Duration.ofSeconds(5)).retries(2))
                .addStep(Step.named("subscription").script("'sub for ' + steps.customer.id + ' on ' + steps.customer.plan"));
        Dispatcher.Submission started = dispatcher.newFlow(onboard).input("{\"plan\": \"pro\"}")
                .requestId("0190a0b0-0000-7000-8000-0000000000f1").start();
        assertThat(started.durable().get(10, TimeUnit.SECONDS)).hasToString("0190a0b0-0000-7000-8000-0000000000f1");

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (dispatcher.getFlowRun(started.id()).orElseThrow().status() != FlowRun.Status.COMPLETED
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        FlowRun run = dispatcher.getFlowRun(started.id()).orElseThrow();
        assertThat(run.status()).isEqualTo(FlowRun.Status.COMPLETED);
        assertThat(run.workerId()).isEqualTo("payment-worker-1");
        assertThat(run.contextId()).isEqualTo("context-123");
        assertThat(run.steps()).extracting(FlowRun.StepRun::output)
                .containsExactly("{\"id\":\"cus_1\",\"plan\":\"pro\"}", "\"sub for cus_1 on pro\"");
        // Started again with the same id: the same run, not a second one.
        dispatcher.newFlow(onboard).requestId("0190a0b0-0000-7000-8000-0000000000f1").start().durable().get(10, TimeUnit.SECONDS);
        assertThat(store.tasks().list(new TaskQuery(null, "context-123", null), null, 10)).hasSize(2);
    }

    @Test
    void aPlayRequestWithNoRetriesFailsForGoodOnItsFirstFailure() throws Exception {
        TaskResponse response = dispatcher.newPlayRequest().script("throw new Error('declined')").retries(0).awaitResponse();
        assertThat(response).isInstanceOf(TaskResponse.Failed.class);
        Task task = ((TaskResponse.Failed) response).task();
        assertThat(task.attempts()).isOne();
        assertThat(task.maxAttempts()).isOne();
        assertThatThrownBy(() -> dispatcher.newPlayRequest().retries(101)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retries are 0 to 100");
    }

    @Test
    void aSubmittedTaskIsStoredOnceDurableCompletes() throws Exception {
        Dispatcher.Submission submission = dispatcher.newPlayRequest().script("print('hi')").submit();
        assertThat(submission.durable().get(10, TimeUnit.SECONDS)).isEqualTo(submission.id());
        assertThat(dispatcher.getTaskStatus(submission.id())).isPresent();
    }

    @Test
    void awaitResponseGivesTheCompletedTaskWithItsOutputIdsAndTimes() throws Exception {
        TaskResponse response = dispatcher.newPlayRequest().script("print('hi', input.amount, WORKER_ID, CONTEXT_ID, CALLER_ID)")
                .input("{\"amount\": 2000}").awaitResponse();
        assertThat(response).isInstanceOf(TaskResponse.Completed.class);
        Task task = ((TaskResponse.Completed) response).task();
        assertThat(task.output()).isEqualTo("hi 2000 payment-worker-1 context-123 api\n");
        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(task.attempts()).isEqualTo(1);
        assertThat(task.startedAt()).isAfterOrEqualTo(task.createdAt());
        assertThat(task.finishedAt()).isAfterOrEqualTo(task.startedAt());
        assertThat(dispatcher.getTaskStatus(task.id())).contains(task);
    }

    @Test
    void aScriptThatAlwaysThrowsIsFailedWithItsMessageAndLineOnceItsAttemptsAreUsedUp() throws Exception {
        TaskResponse response = dispatcher.newPlayRequest().script("let a = 1;\nthrow new Error('declined')").awaitResponse();
        assertThat(response).isInstanceOf(TaskResponse.Failed.class);
        Task task = ((TaskResponse.Failed) response).task();
        assertThat(task.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(task.attempts()).isEqualTo(NewTask.DEFAULT_MAX_ATTEMPTS);
        assertThat(task.error()).contains("declined").contains("(line 2)");
    }

    @Test
    void awaitResponseTimesOutWhileTheTaskWaitsItsTurnAndTheTaskStaysQueued() throws Exception {
        // An earlier task of the context, due in an hour, holds the context: the next one waits its turn.
        store.tasks().enqueue(new NewTask(TaskId.generate(System.currentTimeMillis(), new Random(1)), "later", "{}",
                "payment-worker-1", "held", "test", 0, Instant.now().plus(Duration.ofHours(1)), 1)).join();
        Dispatcher held = builder().workerId("payment-worker-1").contextId("held").build();
        TaskResponse response = held.newPlayRequest().script("print('late')").timeout(Duration.ofMillis(200)).awaitResponse();
        assertThat(response).isInstanceOf(TaskResponse.TimedOut.class);
        assertThat(((TaskResponse.TimedOut) response).lastSeen()).get().extracting(Task::status).isEqualTo(TaskStatus.PENDING);
    }

    @Test
    void aRequestIdSubmittedTwiceIsOneTaskThatRunsOnce() throws Exception {
        String requestId = UUID.randomUUID().toString();
        Dispatcher counted = builder().workerId("payment-worker-1").contextId("once").build();
        TaskResponse first = counted.newPlayRequest().requestId(requestId).script("print('first')").awaitResponse();
        TaskResponse second = counted.newPlayRequest().requestId(requestId).script("print('second')").awaitResponse();
        assertThat(first.id()).isEqualTo(second.id()).hasToString(requestId);
        assertThat(((TaskResponse.Completed) second).task().output()).isEqualTo("first\n");
        assertThat(store.tasks().list(new TaskQuery(null, "once", null), null, 10)).hasSize(1);
    }

    @Test
    void aScriptPathIsReadWhenSubmitted() throws Exception {
        Path file = Files.writeString(dir.resolve("hello.js"), "print('from a file')");
        Dispatcher.Submission submission = dispatcher.newPlayRequest().scriptPath(file).submit();
        Files.writeString(file, "print('changed after submitting')");
        TaskResponse response = submission.awaitResponse();
        assertThat(((TaskResponse.Completed) response).task().output()).isEqualTo("from a file\n");
    }

    @Test
    void aMissingOrOversizedScriptFileIsRefusedBeforeAnythingIsQueued() throws Exception {
        assertThatThrownBy(() -> dispatcher.newPlayRequest().scriptPath(dir.resolve("absent.js")))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("absent.js");
        Path big = Files.write(dir.resolve("big.js"), new byte[(int) Dispatcher.MAX_SCRIPT_BYTES + 1]);
        assertThatThrownBy(() -> dispatcher.newPlayRequest().scriptPath(big))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than");
    }

    @Test
    void aFlowRequestRunsTheFlowFromTheFlowsDirectory() throws Exception {
        Files.writeString(dir.resolve("flows/greet.js"), "print('hello ' + input.name)");
        TaskResponse response = dispatcher.newPlayRequest().flow("greet").input("{\"name\":\"ada\"}").awaitResponse();
        assertThat(((TaskResponse.Completed) response).task().output()).isEqualTo("hello ada\n");
    }

    @Test
    void hostileRequestsAreRefusedWithTheirReason() {
        assertThatThrownBy(() -> dispatcher.newPlayRequest().input("{\"a\": ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> dispatcher.newPlayRequest().input("1 2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than one");
        assertThatThrownBy(() -> dispatcher.newPlayRequest().requestId("not-a-uuid")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> dispatcher.newPlayRequest().timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> dispatcher.newPlayRequest().flow("../etc/passwd").submit())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a flow name");
        assertThatThrownBy(() -> dispatcher.newPlayRequest().submit()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder().contextId("c").build()).hasMessageContaining("workerId is required");
        assertThatThrownBy(() -> builder().workerId("has space").build()).hasMessageContaining("without spaces");
    }

    @Test
    void tasksOfOneContextRunInTheOrderSubmitted() throws Exception {
        Dispatcher ordered = builder().workerId("payment-worker-1").contextId("ordered").build();
        Dispatcher.Submission last = null;
        for (int i = 0; i < 20; i++) {
            last = ordered.newPlayRequest().script("let seen = get_context('seen') || []; seen.push(" + i + "); set_context('seen', seen);")
                    .submit();
        }
        assertThat(last.awaitResponse()).isInstanceOf(TaskResponse.Completed.class);
        assertThat(store.tasks().contextValue("ordered", "seen"))
                .contains("[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]");
    }
}
