package dev.flowgate.server;

import static dev.flowgate.server.Harness.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.flow.FlowRun;
import dev.flowgate.task.TaskId;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** POST /flows, GET /flows/{id}, POST /flows/{id}/retry over real HTTP, on the engine's own task runtime. */
class FlowRoutesTest {
    @TempDir
    static Path dir;
    static Path flowsDir;
    static Harness harness;

    @BeforeAll
    static void start() throws IOException {
        flowsDir = Files.createDirectories(dir.resolve("flows"));
        harness = Harness.start(dir.resolve("data"), config -> config.flowsDir(flowsDir));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private TaskId start(String body) {
        HttpResponse<String> response = harness.post("/flows", "application/json", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        Matcher id = Pattern.compile("\"flowRunId\":\"([^\"]+)\"").matcher(response.body());
        assertThat(id.find()).isTrue();
        return TaskId.parse(id.group(1));
    }

    private void awaitStatus(TaskId id, FlowRun.Status status) {
        Harness.await(Duration.ofSeconds(20), "flow run " + id + " " + status.wireName(),
                () -> harness.engine.flowRun(id).orElseThrow().status() == status);
    }

    @Test
    void aStartedFlowRunsItsStepsInOrderAndShowsEachStepsOutput() {
        TaskId id = start("""
                {"workerId":"w-flows","contextId":"ctx-onboard","input":{"email":"a@example.com"},
                 "flow":{"name":"onboard","steps":[
                   {"name":"customer","script":"({id: 'cus_1', email: input.email})","timeoutMs":5000,"retries":2},
                   {"name":"welcome","script":"print('welcome', steps.customer.email); 'sent'"}]}}""");
        awaitStatus(id, FlowRun.Status.COMPLETED);

        String body = harness.get("/flows/" + id).body();
        assertThat(body).contains("\"name\":\"onboard\"", "\"status\":\"completed\"", "\"currentStep\":null",
                "\"output\":{\"id\":\"cus_1\",\"email\":\"a@example.com\"}", "\"output\":\"sent\"",
                "\"printed\":\"welcome a@example.com\\n\"", "\"contextId\":\"ctx-onboard\"");
    }

    @Test
    void aFailedRunRetriedTakesUpAtItsFailedStepKeepingTheOutputsBeforeIt() throws IOException {
        Files.writeString(flowsDir.resolve("pack.js"), "throw new Error('no boxes')");
        TaskId id = start("""
                {"workerId":"w-flows","contextId":"ctx-retry","flow":{"name":"ship","steps":[
                   {"name":"label","script":"'label-1'"},{"name":"pack","flow":"pack"}]}}""");
        awaitStatus(id, FlowRun.Status.FAILED);
        assertThat(harness.get("/flows/" + id).body()).contains("\"status\":\"failed\"", "\"currentStep\":\"pack\"",
                "Error: no boxes");

        Files.writeString(flowsDir.resolve("pack.js"), "'packed with ' + steps.label");
        HttpResponse<String> retried = harness.post("/flows/" + id + "/retry", "application/json", "");
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
        awaitStatus(id, FlowRun.Status.COMPLETED);
        assertThat(harness.engine.flowRun(id).orElseThrow().steps().get(1).output()).isEqualTo("\"packed with label-1\"");
        assertProblem(harness.post("/flows/" + id + "/retry", "application/json", ""), 409);
    }

    @Test
    void anUnknownRunIsNotFoundAndAMalformedIdIsABadRequest() {
        assertProblem(harness.get("/flows/0190a0b0-0000-7000-8000-000000000009"), 404);
        assertProblem(harness.get("/flows/not-a-uuid"), 400);
        assertProblem(harness.post("/flows/0190a0b0-0000-7000-8000-000000000009/retry", "application/json", ""), 404);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "[]",
            "{\"workerId\":\"w\"}",
            "{\"flow\":{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\"}]}}",
            "{\"workerId\":\"w\",\"flow\":{\"name\":\"f\",\"steps\":[]}}",
            "{\"workerId\":\"w\",\"flow\":{\"name\":\"../f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\"}]}}",
            "{\"workerId\":\"w\",\"flow\":{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\",\"retries\":1000}]}}",
            "{\"workerId\":\"w\",\"flow\":{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\",\"timeoutMs\":-5}]}}",
            "{\"workerId\":\"w\",\"flow\":{\"name\":\"f\",\"steps\":[{\"name\":\"s\"}]}}",
            "{\"workerId\":\"w\",\"flow\":\"f\"}",
            "{\"workerId\":\"w\",\"flow\":{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\"}]},\"requestId\":\"x\"}",
            "{\"workerId\":\"w\",\"flow\":{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\"}]},\"input\":}",
            "{\"workerId\":\"w\",\"nonsense\":1}",
            "{\"workerId\":\"w with space\",\"flow\":{\"name\":\"f\",\"steps\":[{\"name\":\"s\",\"script\":\"1\"}]}}"})
    void aHostileStartIsRefusedWithAProblemAndStartsNothing(String body) {
        assertProblem(harness.post("/flows", "application/json", body), 400);
    }

    @Test
    void aStartThatIsNotJsonIsUnsupported() {
        assertProblem(harness.post("/flows", "text/plain", "{}"), 415);
    }
}
