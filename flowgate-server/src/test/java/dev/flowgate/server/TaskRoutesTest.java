package dev.flowgate.server;

import static dev.flowgate.server.Harness.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.task.NewTask;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskStatus;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** POST /tasks, GET /tasks, GET /tasks/{id}, POST /tasks/{id}/retry over real HTTP, on the engine's own task runtime. */
class TaskRoutesTest {
    private static final Pattern NEXT = Pattern.compile("\"next\":\"([^\"]+)\"");
    @TempDir
    static Path dir;
    static Harness harness;
    private final Random random = new Random();

    @BeforeAll
    static void start() throws IOException {
        harness = Harness.start(dir);
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private TaskId enqueue(String kind, String workerId, Instant dueAt) {
        TaskId id = TaskId.generate(System.currentTimeMillis(), random);
        harness.engine.enqueue(new NewTask(id, kind, "{\"step\":1}", workerId, null, "tests", 0, dueAt, 3)).join();
        return id;
    }

    private void awaitStatus(TaskId id, TaskStatus status) {
        Harness.await(Duration.ofSeconds(20), "task " + id + " " + status.wireName(),
                () -> harness.engine.task(id).orElseThrow().status() == status);
    }

    private TaskId submit(String body) {
        HttpResponse<String> response = harness.post("/tasks", "application/json", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        Matcher id = Pattern.compile("\"taskId\":\"([^\"]+)\"").matcher(response.body());
        assertThat(id.find()).isTrue();
        assertThat(response.body()).contains("\"status\":\"pending\"");
        return TaskId.parse(id.group(1));
    }

    @Test
    void aSubmittedScriptRunsAsATaskOfItsWorkerAndContextAndKeepsItsOutput() {
        TaskId id = submit("""
                {"workerId":"payment-worker-1","contextId":"context-123","callerId":"api",
                 "script":"print('hi', input.n, WORKER_ID, CONTEXT_ID)","input":{"n":7}}""");
        awaitStatus(id, TaskStatus.COMPLETED);
        assertThat(harness.get("/tasks/" + id).body()).contains("\"kind\":\"flow\"",
                "\"output\":\"hi 7 payment-worker-1 context-123\\n\"", "\"callerId\":\"api\"");
    }

    @Test
    void aSubmittedScriptThatThrowsFailsItsAttemptWithItsMessageAndLine() {
        TaskId id = submit("{\"workerId\":\"w-throw\",\"script\":\"\\n\\nthrow new Error('boom')\"}");
        Harness.await(Duration.ofSeconds(20), "first failure recorded",
                () -> harness.engine.task(id).orElseThrow().error() != null);
        assertThat(harness.engine.task(id).orElseThrow().error()).isEqualTo("Error: boom (line 3)");
    }

    @Test
    void aSubmissionWithATimeoutAnswersWithTheFinishedTask() {
        HttpResponse<String> response = harness.post("/tasks", "application/json",
                "{\"workerId\":\"w-sync\",\"script\":\"print(input.n * 2)\",\"input\":{\"n\":21},\"timeoutMs\":20000}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"completed\"").contains("\"output\":\"42\\n\"");
    }

    @Test
    void aSubmissionWhoseTaskIsNotDoneByItsTimeoutIsAcceptedAsItIs() {
        // An earlier task of the context, due in an hour, holds the context: the submitted one waits its turn.
        harness.engine.enqueue(new NewTask(TaskId.generate(System.currentTimeMillis(), random), "later", "{}", "w-held",
                "held-ctx", "tests", 0, Instant.now().plus(Duration.ofHours(1)), 1)).join();
        HttpResponse<String> response = harness.post("/tasks", "application/json",
                "{\"workerId\":\"w-held\",\"contextId\":\"held-ctx\",\"script\":\"print(1)\",\"timeoutMs\":100}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.body()).contains("\"status\":\"pending\"");
    }

    @Test
    void aRequestIdSubmittedTwiceIsOneTask() {
        String body = "{\"workerId\":\"w-once\",\"requestId\":\"0190a0b0-0000-7000-8000-000000000001\",\"script\":\"print(1)\"}";
        TaskId first = submit(body);
        TaskId second = submit(body);
        assertThat(first).isEqualTo(second).hasToString("0190a0b0-0000-7000-8000-000000000001");
        HttpResponse<String> listed = harness.get("/tasks?workerId=w-once");
        assertThat(listed.body().split("\"id\":", -1)).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "[]", "{\"script\":\"print(1)\"}", "{\"workerId\":\"w\"}",
        "{\"workerId\":\"w\",\"script\":\"1\",\"flow\":\"f\"}",
        "{\"workerId\":\"w\",\"flow\":\"../etc/passwd\"}", "{\"workerId\":\"w x\",\"script\":\"1\"}",
        "{\"workerId\":\"w\",\"script\":7}", "{\"workerId\":\"w\",\"script\":\"1\",\"colour\":1}",
        "{\"workerId\":\"w\",\"script\":\"1\"} {}", "{\"workerId\":\"w\",\"script\":\"1\",\"input\":{",
        "{\"workerId\":\"w\",\"script\":\"1\",\"timeoutMs\":-1}", "{\"workerId\":\"w\",\"script\":\"1\",\"timeoutMs\":60001}",
        "{\"workerId\":\"w\",\"script\":\"1\",\"timeoutMs\":1.5}", "{\"workerId\":\"w\",\"script\":\"1\",\"timeoutMs\":\"9\"}",
        "{\"workerId\":\"w\",\"script\":\"1\",\"timeoutMs\":99999999999999999999}",
        "{\"workerId\":\"w\",\"script\":\"1\",\"requestId\":\"not-a-uuid\"}",
        "{\"workerId\":\"w\",\"script\":\"1\",\"retries\":-1}", "{\"workerId\":\"w\",\"script\":\"1\",\"retries\":101}",
        "{\"workerId\":\"w\",\"script\":\"1\",\"retries\":\"2\"}",
    })
    void aHostileSubmissionIsRefusedWithAProblemAndQueuesNothing(String body) {
        HttpResponse<String> response = harness.post("/tasks", "application/json", body);
        assertProblem(response, 400);
    }

    @Test
    void aSubmissionThatIsNotJsonByItsContentTypeIsRefused() {
        assertProblem(harness.post("/tasks", "text/plain", "{\"workerId\":\"w\",\"script\":\"1\"}"), 415);
    }

    @Test
    void aTaskOfAKindNoCapabilityHandlesIsADeadLetterThatSaysWhy() {
        TaskId id = enqueue("no.such.kind", "w-dead", Instant.now());
        awaitStatus(id, TaskStatus.ERROR);

        HttpResponse<String> response = harness.get("/tasks/" + id);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"id\":\"" + id + "\"", "\"kind\":\"no.such.kind\"", "\"status\":\"error\"",
                "\"workerId\":\"w-dead\"", "\"payload\":\"{\\\"step\\\":1}\"",
                "\"error\":\"no handler for tasks of kind 'no.such.kind'\"", "\"attempts\":1");
        assertThat(harness.get("/tasks?status=error&workerId=w-dead").body()).contains("\"id\":\"" + id + "\"");
    }

    @Test
    void anOperatorsRetryTakesADeadLetterBackToPending() {
        TaskId id = enqueue("no.such.kind", "w-retry", Instant.now());
        awaitStatus(id, TaskStatus.ERROR);

        HttpResponse<String> retried = harness.post("/tasks/" + id + "/retry", "application/json", "");
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
        assertThat(retried.body()).contains("\"status\":\"pending\"", "\"attempts\":0", "queued again by an operator");
        awaitStatus(id, TaskStatus.ERROR); // still no handler: a dead letter again, not lost
    }

    @Test
    void onlyADeadLetterIsRetried() {
        TaskId waiting = enqueue("no.such.kind", "w-conflict", Instant.now().plus(Duration.ofHours(1)));
        HttpResponse<String> response = harness.post("/tasks/" + waiting + "/retry", "application/json", "");
        assertProblem(response, 409);
        assertThat(response.body()).contains("is pending");
        assertProblem(harness.post("/tasks/" + TaskId.generate(0, random) + "/retry", "application/json", ""), 404);
    }

    @Test
    void tasksAreListedInPagesFollowingNext() {
        Instant later = Instant.now().plus(Duration.ofHours(1));
        TaskId first = enqueue("paged", "w-pages", later);
        TaskId second = enqueue("paged", "w-pages", later);
        TaskId third = enqueue("paged", "w-pages", later);

        String page1 = harness.get("/tasks?workerId=w-pages&status=pending&limit=2").body();
        assertThat(page1).contains(first.toString(), second.toString()).doesNotContain(third.toString());
        Matcher next = NEXT.matcher(page1);
        assertThat(next.find()).as(page1).isTrue();
        String page2 = harness.get(next.group(1)).body();
        assertThat(page2).contains(third.toString()).doesNotContain(first.toString()).contains("\"next\":null");
    }

    @Test
    void anUnknownTaskIsNotFound() {
        assertProblem(harness.get("/tasks/" + TaskId.generate(0, random)), 404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/tasks/not-a-uuid", "/tasks/%00", "/tasks?status=done", "/tasks?limit=0",
            "/tasks?limit=1001", "/tasks?limit=x", "/tasks?after=123", "/tasks?workerId=",
            "/tasks?contextId=a%20b", "/tasks?status=pending&status=error"})
    void hostileQueriesAreA400Problem(String pathAndQuery) {
        assertProblem(harness.get(pathAndQuery), 400);
    }

    @Test
    void anOverlongWorkerIdIsA400Problem() {
        assertProblem(harness.get("/tasks?workerId=" + "w".repeat(NewTask.MAX_ID_LENGTH + 1)), 400);
    }
}
