package dev.flowgate.server.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.flowgate.Flowgate;
import dev.flowgate.flow.Dispatcher;
import dev.flowgate.flow.FlowRequest;
import dev.flowgate.flow.Step;
import dev.flowgate.flow.TaskResponse;
import dev.flowgate.http.Problem;
import dev.flowgate.server.api.RouteTable.Access;
import dev.flowgate.server.http.HttpRequest;
import dev.flowgate.server.http.HttpResponse;
import dev.flowgate.task.NewTask;
import dev.flowgate.task.Task;
import dev.flowgate.task.TaskId;
import dev.flowgate.task.TaskQuery;
import dev.flowgate.task.TaskStatus;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The task routes (DESIGN.md, the task runtime):
 *
 * <pre>
 * POST /tasks               run a script or a flow as a task: 202 {"taskId", "status"} once it is durable,
 *                           or with timeoutMs, 200 and the task if it finished by then
 * GET  /tasks/{id}          one task: status, attempts, lease, output or error
 * GET  /tasks               one page of tasks (status, workerId, contextId; limit, after), in id order
 * POST /tasks/{id}/retry    take a dead letter (status error) back to pending (admin)
 * </pre>
 */
public final class TaskRoutes {
    /** How long a submission waits for its task to become durable: a commit, or the writer is in trouble. */
    static final Duration DURABLE_WAIT = Duration.ofSeconds(10);
    private static final JsonFactory PARSER = new JsonFactory();
    private final Flowgate engine;
    private final Json json = new Json();

    public TaskRoutes(Flowgate engine) {
        this.engine = engine;
    }

    public RouteTable register(RouteTable routes) {
        return routes
                .post("/tasks", Access.ANYONE, (request, path) -> submit(request))
                .get("/tasks", Access.ANYONE, (request, path) -> list(request))
                .get("/tasks/{id}", Access.ANYONE, (request, path) -> withId(json, path.get("id"), this::task))
                .post("/tasks/{id}/retry", Access.ADMIN, (request, path) -> withId(json, path.get("id"), this::retry));
    }

    /** The longest {@code timeoutMs} a submission may wait for its task to finish. */
    public static final long MAX_TIMEOUT_MS = 60_000;

    /**
     * What {@code POST /tasks} asks for; a {@code timeoutMs} above zero waits that long for the task
     * to finish before answering.
     */
    private record Submission(String workerId, String contextId, String callerId, String script, String flow,
                              String input, String requestId, long timeoutMs, Integer retries) {
    }

    private HttpResponse submit(HttpRequest request) {
        if (!Json.hasJsonBody(request)) {
            return problem(415, "Unsupported media type", "send the task as Content-Type: application/json", null);
        }
        Dispatcher.Submission submitted;
        Submission submission;
        try {
            submission = submission(request.body());
            Dispatcher.PlayRequest play = engine.dispatcher().callerId(submission.callerId())
                    .workerId(submission.workerId()).contextId(submission.contextId()).build().newPlayRequest();
            if (submission.flow() != null) {
                play.flow(submission.flow());
            } else {
                play.script(submission.script());
            }
            if (submission.input() != null) {
                play.input(submission.input());
            }
            if (submission.requestId() != null) {
                play.requestId(submission.requestId());
            }
            if (submission.timeoutMs() > 0) {
                play.timeout(Duration.ofMillis(submission.timeoutMs()));
            }
            if (submission.retries() != null) {
                play.retries(submission.retries());
            }
            submitted = play.submit();
        } catch (IllegalArgumentException e) {
            return problem(400, "Invalid request", e.getMessage(), null);
        }
        try {
            submitted.durable().get(DURABLE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (submission.timeoutMs() > 0) {
                return switch (submitted.awaitResponse()) {
                    case TaskResponse.Completed completed -> json.response(200, out -> writeTask(out, completed.task()));
                    case TaskResponse.Failed failed -> json.response(200, out -> writeTask(out, failed.task()));
                    case TaskResponse.TimedOut timedOut ->
                            accepted(submitted.id(), timedOut.lastSeen().map(Task::status).orElse(TaskStatus.PENDING));
                    case TaskResponse.NotQueued notQueued -> notDurable();
                };
            }
        } catch (ExecutionException | TimeoutException e) {
            return notDurable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return problem(503, "Service unavailable", "the server is stopping; try again", null);
        }
        return accepted(submitted.id(), TaskStatus.PENDING);
    }

    private HttpResponse notDurable() {
        return problem(503, "Service unavailable", "the task could not be made durable; nothing was queued, try again", null);
    }

    private HttpResponse accepted(TaskId id, TaskStatus status) {
        return json.response(202, out -> {
            out.writeStartObject();
            out.writeStringField("taskId", id.toString());
            out.writeStringField("status", status.wireName());
            out.writeEndObject();
        });
    }

    /**
     * {@code {"workerId", "contextId", "callerId", "script" | "flow", "input", "requestId", "timeoutMs", "retries"}}:
     * the worker is required, the context optional, the caller {@code api} unless given.
     */
    private static Submission submission(byte[] body) {
        String workerId = null;
        String contextId = null;
        String callerId = "api";
        String script = null;
        String flow = null;
        String input = null;
        String requestId = null;
        long timeoutMs = 0;
        Integer retries = null;
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
                    case "script" -> script = Json.string(parser, value, field);
                    case "flow" -> flow = Json.string(parser, value, field);
                    case "input" -> input = FlowRequest.copyValue(parser);
                    case "requestId" -> requestId = Json.string(parser, value, field);
                    case "timeoutMs" -> timeoutMs = timeoutMs(parser, value);
                    case "retries" -> retries = retries(parser, value);
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
        if ((script == null) == (flow == null)) {
            throw new IllegalArgumentException("give either script or flow");
        }
        return new Submission(workerId, contextId, callerId, script, flow, input, requestId, timeoutMs, retries);
    }

    private static long timeoutMs(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                || parser.getIntValue() < 0 || parser.getIntValue() > MAX_TIMEOUT_MS) {
            throw new IllegalArgumentException("timeoutMs must be a whole number of milliseconds from 0 to " + MAX_TIMEOUT_MS);
        }
        return parser.getIntValue();
    }

    private static int retries(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                || parser.getIntValue() < 0 || parser.getIntValue() > Step.MAX_RETRIES) {
            throw new IllegalArgumentException("retries must be a whole number from 0 to " + Step.MAX_RETRIES);
        }
        return parser.getIntValue();
    }

    /** Answers for the task (or flow run) {@code idText} names, or 400 if it names none. */
    static HttpResponse withId(Json json, String idText, Function<TaskId, HttpResponse> answer) {
        TaskId id;
        try {
            id = TaskId.parse(idText);
        } catch (IllegalArgumentException e) {
            return json.problem(new Problem(400, "Invalid request", e.getMessage(), "id"));
        }
        return answer.apply(id);
    }

    private HttpResponse task(TaskId id) {
        return engine.task(id)
                .map(task -> json.response(200, out -> writeTask(out, task)))
                .orElseGet(() -> problem(404, "Not found", "no task " + id, "id"));
    }

    private HttpResponse retry(TaskId id) {
        return engine.retryTask(id)
                .map(task -> json.response(202, out -> writeTask(out, task)))
                .orElseGet(() -> engine.task(id)
                        .map(task -> problem(409, "Conflict", "task " + id + " is " + task.status().wireName()
                                + ", not a dead letter (error): only those are retried", null))
                        .orElseGet(() -> problem(404, "Not found", "no task " + id, "id")));
    }

    private HttpResponse list(HttpRequest request) {
        TaskQuery query;
        TaskId after;
        int limit;
        try {
            Map<String, String> params = QueryString.parse(request.query());
            query = new TaskQuery(id(params, "workerId"), id(params, "contextId"), status(params.get("status")));
            after = params.get("after") == null ? null : TaskId.parse(params.get("after"));
            limit = Paging.limit(params.get("limit"));
        } catch (IllegalArgumentException e) {
            return problem(400, "Invalid request", e.getMessage(), null);
        }
        List<Task> page = engine.tasks(query, after, limit);
        String next = page.size() == limit ? nextPage(query, limit, page.getLast().id()) : null;
        return json.response(200, out -> {
            out.writeStartObject();
            out.writeArrayFieldStart("tasks");
            for (Task task : page) {
                writeTask(out, task);
            }
            out.writeEndArray();
            Json.writeNullable(out, "next", next);
            out.writeEndObject();
        });
    }

    /** A worker or context id to filter by, held to what a task accepts so a hostile one is refused, not searched. */
    private static String id(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value != null && (value.isEmpty() || value.length() > NewTask.MAX_ID_LENGTH
                || !value.chars().allMatch(c -> c > 0x20 && c < 0x7F))) {
            throw new IllegalArgumentException(name + " must be 1 to " + NewTask.MAX_ID_LENGTH
                    + " printable ASCII characters without spaces");
        }
        return value;
    }

    private static TaskStatus status(String value) {
        if (value == null) {
            return null;
        }
        TaskStatus status = TaskStatus.fromWireName(value);
        if (status == null) {
            throw new IllegalArgumentException("status '" + Problems.bounded(value)
                    + "' is none of pending, processing, completed, error");
        }
        return status;
    }

    private static String nextPage(TaskQuery query, int limit, TaskId last) {
        StringBuilder link = new StringBuilder("/tasks?limit=").append(limit).append("&after=").append(last);
        if (query.status() != null) {
            link.append("&status=").append(query.status().wireName());
        }
        if (query.workerId() != null) {
            link.append("&workerId=").append(URLEncoder.encode(query.workerId(), StandardCharsets.UTF_8));
        }
        if (query.contextId() != null) {
            link.append("&contextId=").append(URLEncoder.encode(query.contextId(), StandardCharsets.UTF_8));
        }
        return link.toString();
    }

    private static void writeTask(JsonGenerator out, Task task) throws IOException {
        out.writeStartObject();
        out.writeStringField("id", task.id().toString());
        out.writeStringField("kind", task.kind());
        out.writeStringField("status", task.status().wireName());
        out.writeStringField("workerId", task.workerId());
        Json.writeNullable(out, "contextId", task.contextId());
        out.writeStringField("callerId", task.callerId());
        out.writeStringField("payload", task.payload());
        out.writeNumberField("attempts", task.attempts());
        out.writeNumberField("maxAttempts", task.maxAttempts());
        out.writeNumberField("priority", task.priority());
        out.writeStringField("dueAt", task.dueAt().toString());
        Json.writeNullable(out, "leaseOwner", task.leaseOwner());
        Json.writeNullable(out, "leaseExpiresAt", text(task.leaseExpiresAt()));
        Json.writeNullable(out, "output", task.output());
        Json.writeNullable(out, "error", task.error());
        out.writeStringField("createdAt", task.createdAt().toString());
        Json.writeNullable(out, "startedAt", text(task.startedAt()));
        Json.writeNullable(out, "finishedAt", text(task.finishedAt()));
        out.writeEndObject();
    }

    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private HttpResponse problem(int status, String title, String detail, String field) {
        return json.problem(new Problem(status, title, detail, field));
    }
}
