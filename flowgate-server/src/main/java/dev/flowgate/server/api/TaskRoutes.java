package dev.flowgate.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.flowgate.Flowgate;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The task routes (DESIGN.md, the task runtime):
 *
 * <pre>
 * GET  /tasks/{id}          one task: status, attempts, lease, output or error
 * GET  /tasks               one page of tasks (status, workerId, contextId; limit, after), in id order
 * POST /tasks/{id}/retry    take a dead letter (status error) back to pending (admin)
 * </pre>
 */
public final class TaskRoutes {
    private final Flowgate engine;
    private final Json json = new Json();

    public TaskRoutes(Flowgate engine) {
        this.engine = engine;
    }

    public RouteTable register(RouteTable routes) {
        return routes
                .get("/tasks", Access.ANYONE, (request, path) -> list(request))
                .get("/tasks/{id}", Access.ANYONE, (request, path) -> withId(path.get("id"), this::task))
                .post("/tasks/{id}/retry", Access.ADMIN, (request, path) -> withId(path.get("id"), this::retry));
    }

    /** Answers for the task {@code idText} names, or 400 if it names none. */
    private HttpResponse withId(String idText, Function<TaskId, HttpResponse> answer) {
        TaskId id;
        try {
            id = TaskId.parse(idText);
        } catch (IllegalArgumentException e) {
            return problem(400, "Invalid request", e.getMessage(), "id");
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

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private HttpResponse problem(int status, String title, String detail, String field) {
        return json.problem(new Problem(status, title, detail, field));
    }
}
