package dev.flowgate.server.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.flowgate.flow.Dispatcher;
import dev.flowgate.flow.FlowRequest;
import dev.flowgate.server.api.TaskRoutes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flowgate submit}: runs a script or a flow as a task of a running server ({@code POST /tasks}). */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Submits a script or a flow as a task to a running server and prints its answer.",
                "With --wait, waits up to a minute for the task to finish and prints it; exit code 1 if it failed,",
                "the server refused the submission (its problem on stderr) or cannot be reached."})
public final class SubmitCommand implements Callable<Integer> {
    private static final JsonFactory JSON = new JsonFactory();
    private static final long WAIT_MS = TaskRoutes.MAX_TIMEOUT_MS;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--worker", required = true, paramLabel = "ID", description = "The worker id.")
    String workerId;

    @Option(names = "--context", paramLabel = "ID", description = "The context id (its tasks run one at a time, in order).")
    String contextId;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @Option(names = "--script", paramLabel = "FILE", description = "A script file, sent as its source.")
        Path script;

        @Option(names = "--flow", paramLabel = "NAME", description = "A flow in the server's flows directory.")
        String flow;
    }

    @Option(names = "--input", paramLabel = "JSON", description = "The script's input, as JSON.")
    String input;

    @Option(names = "--retries", paramLabel = "N",
            description = "How often a failed run is tried again before the task fails (0 to 100; the server's policy unless given).")
    Integer retries;

    @Option(names = "--wait", description = "Wait for the task to finish (up to a minute) and print it.")
    boolean await;

    @Option(names = "--server", paramLabel = "URL", defaultValue = ServerClient.DEFAULT_SERVER,
            description = "The server (default ${DEFAULT-VALUE}).")
    String server;

    @Override
    public Integer call() {
        ServerClient client;
        String body;
        try {
            client = new ServerClient(server);
            body = body();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        StringWriter answer = new StringWriter();
        PrintWriter answerOut = new PrintWriter(answer);
        int code = client.exchange("/tasks", Duration.ofMillis(WAIT_MS + 15_000),
                request -> request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)),
                answerOut, spec.commandLine().getErr());
        spec.commandLine().getOut().print(answer);
        spec.commandLine().getOut().flush();
        return code == 0 && await && answer.toString().contains("\"status\":\"error\"") ? 1 : code;
    }

    private String body() {
        String source = what.script == null ? null : Dispatcher.readScript(what.script);
        String inputJson = input == null ? null : FlowRequest.normalizedJson(input);
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.writeStartObject();
            out.writeStringField("workerId", workerId);
            if (contextId != null) {
                out.writeStringField("contextId", contextId);
            }
            out.writeStringField("callerId", "cli");
            if (source != null) {
                out.writeStringField("script", source);
            } else {
                out.writeStringField("flow", what.flow);
            }
            if (inputJson != null) {
                out.writeFieldName("input");
                out.writeRawValue(inputJson);
            }
            if (retries != null) {
                out.writeNumberField("retries", retries);
            }
            if (await) {
                out.writeNumberField("timeoutMs", WAIT_MS);
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }
}
