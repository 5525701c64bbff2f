package dev.flowgate.server.cli;

import dev.flowgate.task.TaskId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flowgate tasks ID} and {@code flowgate tasks list}: a running server's tasks, as its API shows them. */
@Command(name = "tasks", mixinStandardHelpOptions = true,
        description = {"Shows one task of a running server (flowgate tasks ID), or a page of them (flowgate tasks list).",
                "Prints the server's JSON; exit code 1 if it refused (its problem on stderr) or cannot be reached."})
public final class TasksCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID|list", description = "A task id, or list.")
    String what;

    @Option(names = "--status", paramLabel = "S", description = "With list: pending, processing, completed or error.")
    String status;

    @Option(names = "--worker", paramLabel = "ID", description = "With list: only this worker's tasks.")
    String workerId;

    @Option(names = "--context", paramLabel = "ID", description = "With list: only this context's tasks.")
    String contextId;

    @Option(names = "--limit", paramLabel = "N", description = "With list: at most N tasks (the server's default unless given).")
    Integer limit;

    @Option(names = "--after", paramLabel = "ID", description = "With list: the page after this task id (the next link's).")
    String after;

    @Option(names = "--server", paramLabel = "URL", defaultValue = ServerClient.DEFAULT_SERVER,
            description = "The server (default ${DEFAULT-VALUE}).")
    String server;

    @Override
    public Integer call() {
        ServerClient client;
        String path;
        try {
            client = new ServerClient(server);
            path = what.equals("list") ? listPath() : "/tasks/" + TaskId.parse(what);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return client.exchange(path, Duration.ofSeconds(30), request -> request.GET(),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    private String listPath() {
        StringBuilder query = new StringBuilder();
        append(query, "status", status);
        append(query, "workerId", workerId);
        append(query, "contextId", contextId);
        append(query, "limit", limit == null ? null : limit.toString());
        append(query, "after", after);
        return "/tasks" + query;
    }

    private static void append(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append(query.isEmpty() ? '?' : '&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
