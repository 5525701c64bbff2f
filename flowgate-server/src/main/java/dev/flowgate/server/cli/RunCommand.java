package dev.flowgate.server.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.flowgate.flow.ScriptEnvironment;
import dev.flowgate.flow.ScriptLimits;
import dev.flowgate.flow.ScriptResult;
import dev.flowgate.flow.ScriptSandbox;
import dev.flowgate.task.NewTask;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flowgate run FILE.js}: one script in the flows' sandbox, with its limits, printing what it
 * prints. Nothing is saved: what it writes with {@code set_context} and asks for with
 * {@code dispatch} is listed after the output, for a look at what a flow would do.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs one script in the flows' sandbox and prints its output.",
                "Exit code 0 when it completes, 1 when it fails (the error and its line on stderr), 2 on bad usage."})
public final class RunCommand implements Callable<Integer> {
    private static final Pattern GLOBAL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    /** What the sandbox defines itself; a --global of one of these names would be refused by the script's scope. */
    private static final Set<String> RESERVED = Set.of("input", "WORKER_ID", "CONTEXT_ID", "CALLER_ID", "TASK_ID",
            "print", "parse_json", "set_context", "get_context", "dispatch");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.js", description = "The script to run.")
    Path script;

    @Option(names = "--context", paramLabel = "ID", description = "The context id the script runs in (CONTEXT_ID).")
    String contextId;

    @Option(names = "--worker", paramLabel = "ID", defaultValue = "cli", description = "The worker id (WORKER_ID; default cli).")
    String workerId;

    @Option(names = "--input", paramLabel = "JSON", description = "The script's input, as JSON (the global input).")
    String input;

    @Option(names = "--global", paramLabel = "NAME=JSON", description = "Another global the script sees, as JSON; "
            + "repeat for each (e.g. parsed_data='{\"id\":\"pi_1\"}' for a completion's flow).")
    List<String> globals = List.of();

    @Option(names = "--flows-dir", paramLabel = "DIR", description = "Where the flows live; a relative FILE.js is looked "
            + "up there when it is not found as given.")
    Path flowsDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (input != null && !isJson(input)) {
            err.println("flowgate run: --input is not JSON: " + input);
            return 2;
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (input != null) {
            values.put("input", input);
        }
        for (String global : globals) {
            int equals = global.indexOf('=');
            String name = equals < 0 ? "" : global.substring(0, equals);
            if (!GLOBAL_NAME.matcher(name).matches() || RESERVED.contains(name) || values.containsKey(name)) {
                err.println("flowgate run: --global wants NAME=JSON with a name of its own (letters, digits, '_'): " + global);
                return 2;
            }
            if (!isJson(global.substring(equals + 1))) {
                err.println("flowgate run: --global " + name + " is not JSON: " + global.substring(equals + 1));
                return 2;
            }
            values.put(name, global.substring(equals + 1));
        }
        try {
            NewTask.checkId("--worker", workerId, false);
            NewTask.checkId("--context", contextId, true);
        } catch (IllegalArgumentException e) {
            err.println("flowgate run: " + e.getMessage());
            return 2;
        }
        Path file = script;
        if (!Files.exists(file) && flowsDir != null && !script.isAbsolute()) {
            file = flowsDir.resolve(script);
        }
        ScriptEnvironment environment = new ScriptEnvironment(workerId, contextId, "cli", UUID.randomUUID().toString(),
                values, ScriptEnvironment.SavedContext.NONE);
        // The output is printed below; the log's copy of each line (what a server keeps) would repeat it.
        System.setProperty("org.slf4j.simpleLogger.log.dev.flowgate.flow.print",
                System.getProperty("org.slf4j.simpleLogger.log.dev.flowgate.flow.print", "warn"));
        ScriptResult result;
        try (ScriptSandbox sandbox = new ScriptSandbox(ScriptLimits.DEFAULT)) {
            result = sandbox.runFile(file, environment);
        }
        out.print(result.output());
        out.flush();
        return switch (result) {
            case ScriptResult.Completed done -> {
                done.contextWrites().forEach((key, json) -> err.println("set_context " + key + " = " + json));
                done.dispatches().forEach(d -> err.println("dispatch " + d.flow() + " " + d.dataJson()));
                yield 0;
            }
            case ScriptResult.Failed failed -> {
                err.println(failed.line() > 0 ? failed.message() + " (" + file.getFileName() + ", line " + failed.line() + ")"
                        : failed.message());
                yield 1;
            }
        };
    }

    private static boolean isJson(String text) {
        try (JsonParser parser = new JsonFactory().createParser(text)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }
}
