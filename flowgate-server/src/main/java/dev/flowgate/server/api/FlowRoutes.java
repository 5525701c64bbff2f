package dev.flowgate.server.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.flowgate.Flowgate;
import dev.flowgate.flow.Dispatcher;
import dev.flowgate.flow.FlowDefinition;
import dev.flowgate.flow.FlowRequest;
import dev.flowgate.flow.FlowRun;
import dev.flowgate.http.Problem;
import dev.flowgate.server.api.RouteTable.Access;
import dev.flowgate.server.http.HttpRequest;
import dev.flowgate.server.http.HttpResponse;
import dev.flowgate.task.TaskId;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The routes of flows with steps:
 *
 * <pre>
 * POST /flows               start a flow: {"workerId", "contextId", "callerId", "flow": {"name", "steps": [...],
 *                           "errorFlow"}, "input", "requestId"}; 202 {"flowRunId", "status"} once durable
 * GET  /flows/{id}          the run: status, current step, each step's status, output, attempts and error
 * POST /flows/{id}/retry    a failed run takes up again at its failed step; completed steps keep their outputs (admin)
 * </pre>
 */
public final class FlowRoutes {
    private static final JsonFactory PARSER = new JsonFactory();
    private final Flowgate engine;
    private final Json json = new Json();

    public FlowRoutes(Flowgate engine) {
        this.engine = engine;
    }

    public RouteTable register(RouteTable routes) {
        return routes
                .post("/flows", Access.ANYONE, (request, path) -> start(request))
                .get("/flows/{id}", Access.ANYONE, (request, path) -> TaskRoutes.withId(json, path.get("id"), this::run))
                .post("/flows/{id}/retry", Access.ADMIN, (request, path) -> TaskRoutes.withId(json, path.get("id"), this::retry));
    }

    private record Start(String workerId, String contextId, String callerId, FlowDefinition definition, String input,
                         String requestId) {
    }

    private HttpResponse start(HttpRequest request) {
        if (!Json.hasJsonBody(request)) {
            return problem(415, "Unsupported media type", "send the flow as Content-Type: application/json", null);
        }
        Dispatcher.Submission started;
        try {
            Start start = parse(request.body());
            Dispatcher.FlowRequestBuilder flow = engine.dispatcher().callerId(start.callerId()).workerId(start.workerId())
                    .contextId(start.contextId()).build().newFlow(start.definition());
            if (start.input() != null) {
                flow.input(start.input());
            }
            if (start.requestId() != null) {
                flow.requestId(start.requestId());
            }
            started = flow.start();
        } catch (IllegalArgumentException e) {
            return problem(400, "Invalid request", e.getMessage(), null);
        }
        try {
            started.durable().get(TaskRoutes.DURABLE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return problem(503, "Service unavailable", "the flow could not be made durable; nothing was started, try again", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return problem(503, "Service unavailable", "the server is stopping; try again", null);
        }
        FlowRun.Status status = engine.flowRun(started.id()).map(FlowRun::status).orElse(FlowRun.Status.CREATED);
        return json.response(202, out -> {
            out.writeStartObject();
            out.writeStringField("flowRunId", started.id().toString());
            out.writeStringField("status", status.wireName());
            out.writeEndObject();
        });
    }

    private static Start parse(byte[] body) {
        String workerId = null;
        String contextId = null;
        String callerId = "api";
        FlowDefinition definition = null;
        String input = null;
        String requestId = null;
        try (JsonParser parser = PARSER.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the body must be a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "workerId" -> workerId = Json.string(parser, value, field);
                    case "contextId" -> contextId = value == JsonToken.VALUE_NULL ? null : Json.string(parser, value, field);
                    case "callerId" -> callerId = Json.string(parser, value, field);
                    case "flow" -> definition = FlowDefinition.parse(FlowRequest.copyValue(parser));
                    case "input" -> input = FlowRequest.copyValue(parser);
                    case "requestId" -> requestId = Json.string(parser, value, field);
                    default -> throw new IllegalArgumentException("unknown field '" + Problems.bounded(field) + "'");
                }
            }
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("the body must hold one JSON object and nothing after it");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getMessage());
        }
        if (workerId == null) {
            throw new IllegalArgumentException("workerId is required");
        }
        if (definition == null) {
            throw new IllegalArgumentException("flow is required: {\"name\": ..., \"steps\": [{\"name\": ..., \"script\": ...}]}");
        }
        return new Start(workerId, contextId, callerId, definition, input, requestId);
    }

    private HttpResponse run(TaskId id) {
        return engine.flowRun(id)
                .map(run -> json.response(200, out -> writeRun(out, run)))
                .orElseGet(() -> problem(404, "Not found", "no flow run " + id, "id"));
    }

    private HttpResponse retry(TaskId id) {
        FlowRun run = engine.flowRun(id).orElse(null);
        if (run == null) {
            return problem(404, "Not found", "no flow run " + id, "id");
        }
        if (run.status() != FlowRun.Status.FAILED) {
            return problem(409, "Conflict", "flow run " + id + " is " + run.status().wireName() + ": only failed runs are retried", null);
        }
        FlowRun.StepRun failed = run.steps().stream().filter(step -> step.status() == FlowRun.Status.FAILED).findFirst()
                .orElseThrow();
        if (engine.retryTask(failed.taskId()).isEmpty()) {
            return problem(409, "Conflict", "flow run " + id + " changed while it was retried; read it again", null);
        }
        return engine.flowRun(id).map(now -> json.response(202, out -> writeRun(out, now)))
                .orElseGet(() -> problem(404, "Not found", "no flow run " + id, "id"));
    }

    private static void writeRun(JsonGenerator out, FlowRun run) throws IOException {
        out.writeStartObject();
        out.writeStringField("id", run.id().toString());
        out.writeStringField("name", run.name());
        out.writeStringField("status", run.status().wireName());
        Json.writeNullable(out, "currentStep", run.currentStep());
        out.writeStringField("workerId", run.workerId());
        Json.writeNullable(out, "contextId", run.contextId());
        out.writeStringField("callerId", run.callerId());
        Json.writeNullable(out, "error", run.error());
        out.writeStringField("createdAt", run.createdAt().toString());
        Json.writeNullable(out, "finishedAt", TaskRoutes.text(run.finishedAt()));
        out.writeArrayFieldStart("steps");
        for (FlowRun.StepRun step : run.steps()) {
            out.writeStartObject();
            out.writeStringField("name", step.name());
            out.writeStringField("taskId", step.taskId().toString());
            out.writeStringField("status", step.status().wireName());
            out.writeFieldName("output");
            if (step.output() == null) {
                out.writeNull();
            } else {
                out.writeRawValue(step.output());
            }
            Json.writeNullable(out, "printed", step.printed());
            Json.writeNullable(out, "error", step.error());
            out.writeNumberField("attempts", step.attempts());
            Json.writeNullable(out, "startedAt", TaskRoutes.text(step.startedAt()));
            Json.writeNullable(out, "finishedAt", TaskRoutes.text(step.finishedAt()));
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private HttpResponse problem(int status, String title, String detail, String field) {
        return json.problem(new Problem(status, title, detail, field));
    }
}
