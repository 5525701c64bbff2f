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
import dev.flowgate.task.TaskOutcome;
import dev.flowgate.task.TaskStatus;
import dev.flowgate.task.TaskStore;
import dev.flowgate.work.Backoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flows with steps through the real runtime, store and sandbox. */
class StepTasksTest {
    private static final Duration BACKOFF_BASE = Duration.ofMillis(40);

    @TempDir
    Path dir;
    private final Random random = new Random(7);
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
        runtime = startRuntime("test");
    }

    private TaskRuntime startRuntime(String owner) {
        return new TaskRuntime(store.tasks(), Map.of(FlowTasks.KIND, flows,
                StepTasks.KIND, new StepTasks(sandbox, flowsDir, store.tasks(), flows, Clock.systemUTC())),
                new TaskRuntime.Settings(owner, 8, Duration.ofSeconds(30), Duration.ofMillis(20),
                        new Backoff(BACKOFF_BASE, BACKOFF_BASE.multipliedBy(2))), Clock.systemUTC(), random, Metrics.NONE);
    }

    @AfterEach
    void stop() {
        runtime.close();
        sandbox.close();
        store.close();
    }

    private TaskId start(FlowDefinition definition, String inputJson, String contextId) {
        NewTask first = flows.flowStart(null, definition, inputJson, "worker-1", contextId, "api");
        runtime.enqueue(first, TaskStore.Commit.NOW).join();
        return first.id();
    }

    private FlowRun await(TaskId runId, Predicate<FlowRun> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        FlowRun run = StepTasks.find(store.tasks(), runId).orElseThrow();
        while (!condition.test(run) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            run = StepTasks.find(store.tasks(), runId).orElseThrow();
        }
        return run;
    }

    private FlowRun awaitEnd(TaskId runId) throws InterruptedException {
        return await(runId, r -> r.status() == FlowRun.Status.COMPLETED || r.status() == FlowRun.Status.FAILED);
    }

    private Task awaitTask(TaskId id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Optional<Task> task = store.tasks().find(id);
        while ((task.isEmpty() || !(task.get().status() == TaskStatus.COMPLETED || task.get().status() == TaskStatus.ERROR))
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
            task = store.tasks().find(id);
        }
        return task.orElseThrow();
    }

    @Test
    void stepsRunInOrderEachSeeingTheInputAndTheRecordedOutputsOfThoseBefore() throws Exception {
        Files.writeString(flowsDir.resolve("greet.js"), "print('hello', steps.customer.id); 'greeted ' + steps.customer.id");
        FlowDefinition onboard = FlowDefinition.named("onboard")
                .addStep(Step.named("customer").script("({id: 'cus_' + input.n, n: input.n})"))
                .addStep(Step.named("double").script("steps.customer.n * 2"))
                .addStep(Step.named("greet").flow("greet"));

        FlowRun run = awaitEnd(start(onboard, "{\"n\":21}", "ctx-steps"));

        assertThat(run.status()).isEqualTo(FlowRun.Status.COMPLETED);
        assertThat(run.currentStep()).isNull();
        assertThat(run.steps()).extracting(FlowRun.StepRun::name).containsExactly("customer", "double", "greet");
        assertThat(run.steps()).extracting(FlowRun.StepRun::output)
                .containsExactly("{\"id\":\"cus_21\",\"n\":21}", "42", "\"greeted cus_21\"");
        assertThat(run.steps().get(2).printed()).isEqualTo("hello cus_21\n");
        assertThat(run.steps()).allSatisfy(step -> assertThat(step.attempts()).isOne());
        assertThat(run.finishedAt()).isNotNull();
    }

    @Test
    void aStepThatKeepsFailingIsRetriedWithBackoffThenTheFlowFailsAndItsErrorFlowRuns() throws Exception {
        Files.writeString(flowsDir.resolve("charge_error.js"),
                "set_context('failure', {step: parsed_error.step, error: parsed_error.error, first: parsed_error.steps.first, "
                        + "attempts: parsed_error.attempts, input: parsed_error.input});");
        FlowDefinition charge = FlowDefinition.named("charge")
                .addStep(Step.named("first").script("'ok'"))
                .addStep(Step.named("card").script("throw new Error('card declined')").retries(2))
                .addStep(Step.named("never").script("'unreachable'"));

        TaskId runId = start(charge, "{\"amount\":5}", "ctx-fail");
        FlowRun run = awaitEnd(runId);

        assertThat(run.status()).isEqualTo(FlowRun.Status.FAILED);
        assertThat(run.currentStep()).isEqualTo("card");
        assertThat(run.error()).startsWith("step card: failed 3 times; the last: Error: card declined");
        FlowRun.StepRun card = run.steps().get(1);
        assertThat(card.attempts()).isEqualTo(3);
        // Two retries, each after at least half the backoff's base.
        assertThat(Duration.between(card.startedAt(), card.finishedAt())).isGreaterThanOrEqualTo(BACKOFF_BASE);
        assertThat(run.steps().get(2).status()).isEqualTo(FlowRun.Status.CREATED);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (store.tasks().contextValue("ctx-fail", "failure").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(store.tasks().contextValue("ctx-fail", "failure")).contains("{\"step\":\"card\",\"error\":"
                + "\"Error: card declined (line 1)\",\"first\":\"ok\",\"attempts\":3,\"input\":{\"amount\":5}}");
    }

    @Test
    void aStepWhoseValueCannotBeJsonFailsSayingSo() throws Exception {
        FlowDefinition cyclic = FlowDefinition.named("cyclic")
                .addStep(Step.named("loop").script("const o = {}; o.self = o; o"));

        FlowRun run = awaitEnd(start(cyclic, "null", null));

        assertThat(run.status()).isEqualTo(FlowRun.Status.FAILED);
        assertThat(run.error()).contains("cannot be saved as JSON");
    }

    @Test
    void aFlowThatIsNotAStepMayEndOnAnyValue() throws Exception {
        Task task = awaitTask(submit(FlowRequest.ofScript("const o = {}; o.self = o; o", Map.of()), null));
        assertThat(task.status()).isEqualTo(TaskStatus.COMPLETED);
    }

    @Test
    void aStepMayNameItsOwnVariablesLikeTheGlobalsItSees() throws Exception {
        FlowDefinition shadowing = FlowDefinition.named("shadowing")
                .addStep(Step.named("first").script("1"))
                .addStep(Step.named("second").script("function f() { const steps = 2; return steps; } f() + steps.first"));

        FlowRun run = awaitEnd(start(shadowing, "null", null));

        assertThat(run.status()).as("%s", run).isEqualTo(FlowRun.Status.COMPLETED);
        assertThat(run.steps().get(1).output()).isEqualTo("3");
    }

    @Test
    void aStepsTimeoutIsItsRunsDeadline() throws Exception {
        FlowDefinition slow = FlowDefinition.named("slow")
                .addStep(Step.named("spin").script("while (true) {}").timeout(Duration.ofMillis(30)));

        FlowRun run = awaitEnd(start(slow, "null", null));

        assertThat(run.status()).isEqualTo(FlowRun.Status.FAILED);
        assertThat(run.error()).contains("the script ran past its deadline of 30 ms");
    }

    @Test
    void retryingAFailedStepResumesTheFlowThereWithoutRunningTheCompletedStepsAgain() throws Exception {
        Files.writeString(flowsDir.resolve("ship.js"), "throw new Error('warehouse closed')");
        FlowDefinition order = FlowDefinition.named("order")
                .addStep(Step.named("reserve").script("set_context('reserved', (get_context('reserved') || 0) + 1); 'r-1'"))
                .addStep(Step.named("ship").flow("ship"));
        TaskId runId = start(order, "null", "ctx-resume");
        FlowRun failed = awaitEnd(runId);
        assertThat(failed.status()).isEqualTo(FlowRun.Status.FAILED);

        Files.writeString(flowsDir.resolve("ship.js"), "'shipped ' + steps.reserve");
        assertThat(store.tasks().retry(StepTasks.stepId(runId, 1), Instant.now())).isPresent();
        runtime.wake();
        FlowRun resumed = await(runId, r -> r.status() == FlowRun.Status.COMPLETED);

        assertThat(resumed.status()).isEqualTo(FlowRun.Status.COMPLETED);
        assertThat(resumed.steps().get(1).output()).isEqualTo("\"shipped r-1\"");
        assertThat(resumed.steps().get(0).attempts()).isOne();
        assertThat(store.tasks().contextValue("ctx-resume", "reserved")).contains("1");
    }

    @Test
    void aStepWhoseWorkerDiedRunsAgainSeeingTheRecordedOutputsAndTheStepsBeforeItDoNot() throws Exception {
        runtime.close(); // this test plays the workers by hand until the restart
        FlowDefinition two = FlowDefinition.named("two")
                .addStep(Step.named("a").script("set_context('a_runs', (get_context('a_runs') || 0) + 1); 'a-out'"))
                .addStep(Step.named("b").script("'b saw ' + steps.a").retries(1)); // the crash counts as an attempt
        TaskId runId = start(two, "null", "ctx-crash");
        StepTasks steps = new StepTasks(sandbox, flowsDir, store.tasks(), flows, Clock.systemUTC());
        Task stepA = store.tasks().claim("first-worker", 10, Instant.now(), Duration.ofSeconds(30)).getFirst();
        TaskOutcome.Done a = (TaskOutcome.Done) steps.run(stepA);
        assertThat(store.tasks().end(stepA.id(), stepA.fencingToken(),
                new TaskStore.Ending.Completed(a.output(), a.next(), a.contextWrites()), Instant.now())).isTrue();
        // The second step is claimed by a worker that dies holding it.
        Instant now = Instant.now();
        List<Task> claimed = store.tasks().claim("dead-worker", 10, now, Duration.ofMillis(1));
        assertThat(claimed).extracting(Task::id).containsExactly(StepTasks.stepId(runId, 1));
        assertThat(StepTasks.find(store.tasks(), runId).orElseThrow().steps().get(1).status())
                .isEqualTo(FlowRun.Status.RUNNING);
        assertThat(store.tasks().expireLeases(now.plusSeconds(1))).isOne();

        runtime = startRuntime("after-restart");
        FlowRun run = awaitEnd(runId);

        assertThat(run.status()).isEqualTo(FlowRun.Status.COMPLETED);
        assertThat(run.steps().get(1).output()).isEqualTo("\"b saw a-out\"");
        assertThat(run.steps().get(1).attempts()).isEqualTo(2);
        assertThat(run.steps().get(0).attempts()).isOne();
        assertThat(store.tasks().contextValue("ctx-crash", "a_runs")).contains("1");
    }

    @Test
    void aStepWhoseLastAttemptDiedWithItsWorkerFailsTheFlowAndRunsItsErrorFlow() throws Exception {
        runtime.close(); // this test plays the worker that dies
        Files.writeString(flowsDir.resolve("fragile_error.js"), "set_context('failed_step', parsed_error.step);");
        FlowDefinition fragile = FlowDefinition.named("fragile").addStep(Step.named("only").script("'never runs'"));
        TaskId runId = start(fragile, "null", "ctx-lost");
        Instant now = Instant.now();
        assertThat(store.tasks().claim("dead-worker", 10, now, Duration.ofMillis(1))).hasSize(1);
        assertThat(store.tasks().expireLeases(now.plusSeconds(1))).isOne();

        runtime = startRuntime("after-restart");
        FlowRun run = awaitEnd(runId);

        assertThat(run.status()).isEqualTo(FlowRun.Status.FAILED);
        assertThat(run.error()).contains("its last attempt ended with its worker");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (store.tasks().contextValue("ctx-lost", "failed_step").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(store.tasks().contextValue("ctx-lost", "failed_step")).contains("\"only\"");
    }

    @Test
    void aScriptStartsAFlowThatRunsOnItsWorkerAndContextOnlyIfTheScriptCompletes() throws Exception {
        String starter = """
                const id = new_flow('double')
                    .add_step(new_step('twice').script('input.n * 2').timeout(5).retries(1))
                    .on_error('double_failed')
                    .start({n: input.n});
                print(id);
                """;
        Task started = awaitTask(submit(FlowRequest.ofScript(starter, Map.of("input", "{\"n\":21}")), "ctx-js"));
        assertThat(started.status()).isEqualTo(TaskStatus.COMPLETED);
        TaskId runId = TaskId.parse(started.output().strip());

        FlowRun run = awaitEnd(runId);

        assertThat(run.status()).isEqualTo(FlowRun.Status.COMPLETED);
        assertThat(run.steps().getFirst().output()).isEqualTo("42");
        assertThat(run.workerId()).isEqualTo("worker-1");
        assertThat(run.contextId()).isEqualTo("ctx-js");
        assertThat(run.callerId()).isEqualTo(FlowTasks.DISPATCH_CALLER);

        Task failing = awaitTask(submit(FlowRequest.ofScript(
                "new_flow('never').add_step(new_step('x').script('1')).start(); throw new Error('after start')",
                Map.of()), "ctx-js-failed"));
        assertThat(failing.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(store.tasks().list(new TaskQuery(null, "ctx-js-failed", null), null, 10)).hasSize(1);
    }

    @Test
    void builderMisuseInAScriptIsATypeErrorNamingIt() throws Exception {
        Map<String, String> misuses = Map.of(
                "new_flow('f').add_step({name: 'x'})", "add_step: give it a step made by new_step",
                "new_step('../etc')", "'../etc' is not a step name",
                "new_step('s').retries(-1)", "retries are 0 to 100",
                "new_step('s').retries(1.5)", "retries: the count is a whole number",
                "new_step('s').timeout('5')", "timeout: the seconds must be a finite number",
                "new_step('s').timeout(100000)", "a timeout is more than 0 and at most 600 s",
                "new_flow('f').add_step(new_step('s'))", "step 's' runs nothing",
                "new_flow('f').start()", "flow 'f' has no steps",
                "new_flow('f').add_step(new_step('s').script('1')).add_step(new_step('s').script('2'))",
                "has two steps named 's'");
        for (Map.Entry<String, String> misuse : misuses.entrySet()) {
            Task task = awaitTask(submit(FlowRequest.ofScript(misuse.getKey(), Map.of()), null));
            assertThat(task.status()).as(misuse.getKey()).isEqualTo(TaskStatus.ERROR);
            assertThat(task.error()).as(misuse.getKey()).contains("TypeError").contains(misuse.getValue());
        }
    }

    @Test
    void aRunStartsAtMostAHundredFlows() throws Exception {
        Task task = awaitTask(submit(FlowRequest.ofScript("""
                const step = new_step('s').script('1');
                for (let i = 0; i < 101; i++) { new_flow('f').add_step(step).start(); }
                """, Map.of()), null));
        assertThat(task.status()).isEqualTo(TaskStatus.ERROR);
        assertThat(task.error()).contains("RangeError").contains("at most");
    }

    @Test
    void aDefinitionReadsBackAsItWasWrittenAndHostileOnesAreRefusedSayingWhy() {
        FlowDefinition definition = FlowDefinition.named("onboard")
                .addStep(Step.named("customer").script("1").timeout(Duration.ofSeconds(5)).retries(2))
                .addStep(Step.named("mail").flow("send_mail"))
                .onError("onboard_failed");
        assertThat(FlowDefinition.parse(definition.toJson())).isEqualTo(definition);
        assertThat(FlowDefinition.named("x").errorFlow()).isEqualTo("x_error");

        Map<String, String> hostile = Map.of(
                "[]", "a flow definition is a JSON object",
                "{\"name\":\"f\",\"steps\":[]}", "has no steps",
                "{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\",\"retries\":-1}]}", "retries is 0 to 100",
                "{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\",\"timeoutMs\":1e3}]}", "timeoutMs is a whole number",
                "{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\",\"flow\":\"x\"}]}", "a script or a flow, not both",
                "{\"name\":\"f\",\"steps\":[{\"name\":\"s\"}]}", "runs nothing",
                "{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\"}],\"extra\":1}", "unknown field 'extra'",
                "{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\"}]} {}", "one JSON object",
                "{\"name\":\"f\"", "not JSON");
        hostile.forEach((json, reason) -> {
            try {
                FlowDefinition.parse(json);
                throw new AssertionError("accepted " + json);
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).as(json).contains(reason);
            }
        });
    }

    private TaskId submit(FlowRequest request, String contextId) {
        NewTask task = flows.task(null, request, "worker-1", contextId, "api", 1);
        runtime.enqueue(task, TaskStore.Commit.NOW).join();
        return task.id();
    }
}
