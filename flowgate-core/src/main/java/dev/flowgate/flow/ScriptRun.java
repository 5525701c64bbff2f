package dev.flowgate.flow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.mozilla.javascript.BaseFunction;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.EcmaError;
import org.mozilla.javascript.Function;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Undefined;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run's globals and what it leaves behind: the output of {@code print}, the context writes of
 * {@code set_context} and the flows of {@code dispatch}, all kept here until the run ends, so a run
 * that fails leaves nothing. Every value crosses as JSON text: a script never holds a Java object.
 */
final class ScriptRun {
    private static final Logger PRINT = LoggerFactory.getLogger("dev.flowgate.flow.print");
    private static final int MAX_KEY_LENGTH = 200;
    /** Dispatches and flow starts one run may ask for, together. */
    static final int MAX_NEXT = 100;
    private static final int ATTRIBUTES = ScriptableObject.READONLY | ScriptableObject.PERMANENT | ScriptableObject.DONTENUM;

    private final ScriptLimits limits;
    private final ScriptEnvironment environment;
    private final Function jsonParse;
    private final Function jsonStringify;
    private final StringBuilder output = new StringBuilder();
    private boolean outputCut;
    private final Map<String, String> contextWrites = new LinkedHashMap<>();
    private final List<ScriptResult.Dispatch> dispatches = new ArrayList<>();
    private final List<FlowStart> flowStarts = new ArrayList<>();
    /** What each object that {@code new_step} made stands for, by identity: scripts see only the plain object. */
    private final Map<Scriptable, Step[]> steps = new IdentityHashMap<>();

    ScriptRun(ScriptLimits limits, ScriptEnvironment environment, Function jsonParse, Function jsonStringify) {
        this.limits = limits;
        this.environment = environment;
        this.jsonParse = jsonParse;
        this.jsonStringify = jsonStringify;
    }

    /** A function of the host, as scripts see it: a plain JavaScript function with nothing of Java on it. */
    @FunctionalInterface
    private interface Body {
        Object call(Context cx, Scriptable scope, Object[] args);
    }

    private static final class HostFunction extends BaseFunction {
        private final String name;
        private final transient Body body;

        HostFunction(Scriptable scope, String name, Body body) {
            super(scope, ScriptableObject.getFunctionPrototype(scope));
            this.name = name;
            this.body = body;
        }

        @Override
        public Object call(Context cx, Scriptable scope, Scriptable thisObj, Object[] args) {
            return body.call(cx, scope, args);
        }

        @Override
        public Scriptable construct(Context cx, Scriptable scope, Object[] args) {
            throw ScriptRuntime.typeError(name + " is not a constructor");
        }

        @Override
        public String getFunctionName() {
            return name;
        }
    }

    void bind(Context cx, Scriptable scope) {
        define(scope, "WORKER_ID", environment.workerId());
        define(scope, "CONTEXT_ID", environment.contextId());
        define(scope, "CALLER_ID", environment.callerId());
        define(scope, "TASK_ID", environment.taskId());
        environment.values().forEach((name, json) -> define(scope, name, parse(cx, scope, json)));
        function(scope, "print", this::print);
        function(scope, "parse_json", (c, s, args) -> parse(c, s, string(args, 0, "parse_json", "the JSON text")));
        function(scope, "set_context", this::setContext);
        function(scope, "get_context", this::getContext);
        function(scope, "dispatch", this::dispatch);
        function(scope, "new_step", this::newStep);
        function(scope, "new_flow", this::newFlow);
    }

    private static void define(Scriptable scope, String name, Object value) {
        ScriptableObject.defineProperty(scope, name, value, ATTRIBUTES);
    }

    private static void function(Scriptable scope, String name, Body body) {
        define(scope, name, new HostFunction(scope, name, body));
    }

    private Object print(Context cx, Scriptable scope, Object[] args) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg instanceof CharSequence text && text.length() > limits.stringLength()) {
                throw ScriptRuntime.rangeError("print of a string of " + text.length() + " characters; a flow may print "
                        + limits.stringLength());
            }
            line.append(i == 0 ? "" : " ").append(ScriptRuntime.toString(arg));
            if (line.length() > limits.stringLength()) {
                throw ScriptRuntime.rangeError("print of " + line.length() + " characters; a flow may print "
                        + limits.stringLength() + " at once");
            }
        }
        if (environment.contextId() != null) {
            PRINT.info("[{} {}] {}", environment.workerId(), environment.contextId(), line);
        } else {
            PRINT.info("[{}] {}", environment.workerId(), line);
        }
        int room = limits.outputChars() - output.length();
        if (line.length() + 1 <= room) {
            output.append(line).append('\n');
        } else if (!outputCut) {
            output.append(line, 0, Math.max(0, room)).append("\n[output cut at ").append(limits.outputChars())
                    .append(" characters]\n");
            outputCut = true;
        }
        return Undefined.instance;
    }

    private Object setContext(Context cx, Scriptable scope, Object[] args) {
        String key = key(args, "set_context");
        Object value = args.length > 1 ? args[1] : Undefined.instance;
        Object json = jsonStringify.call(cx, scope, scope, new Object[] {value});
        if (!(json instanceof CharSequence text)) {
            throw ScriptRuntime.typeError("set_context('" + key + "', ...): the value cannot be saved as JSON");
        }
        if (text.length() > limits.stringLength()) {
            throw ScriptRuntime.rangeError("set_context('" + key + "', ...): " + text.length()
                    + " characters of JSON; a context value may have " + limits.stringLength());
        }
        contextWrites.put(key, text.toString());
        return Undefined.instance;
    }

    private Object getContext(Context cx, Scriptable scope, Object[] args) {
        String key = key(args, "get_context");
        String json = contextWrites.containsKey(key) ? contextWrites.get(key) : environment.saved().get(environment.contextId(), key);
        return json == null ? null : parse(cx, scope, json);
    }

    private Object dispatch(Context cx, Scriptable scope, Object[] args) {
        String flow = string(args, 0, "dispatch", "the flow's name");
        if (!FlowRequest.FLOW_NAME.matcher(flow).matches()) {
            throw ScriptRuntime.typeError("dispatch: '" + flow + "' is not a flow name (letters, digits, '.', '-', '_')");
        }
        Object json = args.length > 1 ? jsonStringify.call(cx, scope, scope, new Object[] {args[1]}) : "null";
        String data = json instanceof CharSequence text ? text.toString() : "null";
        if (data.length() > limits.stringLength()) {
            throw ScriptRuntime.rangeError("dispatch('" + flow + "', ...): " + data.length() + " characters of data; at most "
                    + limits.stringLength());
        }
        checkRoomForNext("dispatch('" + flow + "', ...)");
        dispatches.add(new ScriptResult.Dispatch(flow, data));
        return Undefined.instance;
    }

    private void checkRoomForNext(String what) {
        if (dispatches.size() + flowStarts.size() >= MAX_NEXT) {
            throw ScriptRuntime.rangeError(what + ": a run may dispatch or start " + MAX_NEXT + " flows at most");
        }
    }

    /** {@code new_step(name)}: a step builder, {@code .script(src)}, {@code .flow(name)}, {@code .timeout(s)}, {@code .retries(n)}. */
    private Object newStep(Context cx, Scriptable scope, Object[] args) {
        String name = string(args, 0, "new_step", "the step's name");
        Step[] step = {checked(() -> Step.named(name))};
        Scriptable builder = cx.newObject(scope);
        steps.put(builder, step);
        method(builder, scope, "script", (c, s, a) -> {
            String source = string(a, 0, "script", "the step's source");
            step[0] = checked(() -> step[0].script(source));
            return builder;
        });
        method(builder, scope, "flow", (c, s, a) -> {
            String flow = string(a, 0, "flow", "the flow's name");
            step[0] = checked(() -> step[0].flow(flow));
            return builder;
        });
        method(builder, scope, "timeout", (c, s, a) -> {
            double seconds = number(a, 0, "timeout", "the seconds");
            step[0] = checked(() -> step[0].timeout(Duration.ofMillis((long) Math.ceil(seconds * 1000))));
            return builder;
        });
        method(builder, scope, "retries", (c, s, a) -> {
            double retries = number(a, 0, "retries", "the count");
            if (retries != Math.rint(retries)) {
                throw ScriptRuntime.typeError("retries: the count is a whole number");
            }
            step[0] = checked(() -> step[0].retries((int) Math.max(-1, Math.min(retries, Integer.MAX_VALUE))));
            return builder;
        });
        return builder;
    }

    /**
     * {@code new_flow(name)}: a flow builder, {@code .add_step(step)}, {@code .on_error(flow)}, and
     * {@code .start(input)}, which starts it on this run's worker and context if the run completes
     * and returns the run's id.
     */
    private Object newFlow(Context cx, Scriptable scope, Object[] args) {
        String name = string(args, 0, "new_flow", "the flow's name");
        FlowDefinition[] flow = {checked(() -> FlowDefinition.named(name))};
        Scriptable builder = cx.newObject(scope);
        method(builder, scope, "add_step", (c, s, a) -> {
            Step[] step = a.length > 0 && a[0] instanceof Scriptable object ? steps.get(object) : null;
            if (step == null) {
                throw ScriptRuntime.typeError("add_step: give it a step made by new_step");
            }
            flow[0] = checked(() -> flow[0].addStep(step[0]));
            return builder;
        });
        method(builder, scope, "on_error", (c, s, a) -> {
            String errorFlow = string(a, 0, "on_error", "the flow's name");
            flow[0] = checked(() -> flow[0].onError(errorFlow));
            return builder;
        });
        method(builder, scope, "start", (c, s, a) -> {
            String what = "new_flow('" + name + "').start(...)";
            checkRoomForNext(what);
            Object json = a.length > 0 ? jsonStringify.call(c, s, s, new Object[] {a[0]}) : "null";
            String input = json instanceof CharSequence text ? text.toString() : "null";
            if (input.length() + flow[0].toJson().length() > limits.stringLength()) {
                throw ScriptRuntime.rangeError(what + ": its steps and input have more than " + limits.stringLength()
                        + " characters");
            }
            FlowStart start = checked(() -> new FlowStart(FlowStart.runIdFor(environment.taskId(), flowStarts.size()),
                    flow[0], input));
            flowStarts.add(start);
            return start.runId().toString();
        });
        return builder;
    }

    private static void method(Scriptable object, Scriptable scope, String name, Body body) {
        ScriptableObject.defineProperty(object, name, new HostFunction(scope, name, body), ATTRIBUTES);
    }

    /** A builder's step, its argument checks turned into the script's TypeError. */
    private static <T> T checked(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw ScriptRuntime.typeError(e.getMessage());
        }
    }

    private static double number(Object[] args, int index, String function, String what) {
        if (args.length <= index || !(args[index] instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw ScriptRuntime.typeError(function + ": " + what + " must be a finite number");
        }
        return n.doubleValue();
    }

    private String key(Object[] args, String function) {
        if (environment.contextId() == null) {
            throw ScriptRuntime.typeError(function + ": this run has no context id");
        }
        String key = string(args, 0, function, "the key");
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw ScriptRuntime.typeError(function + ": a key has 1 to " + MAX_KEY_LENGTH + " characters");
        }
        return key;
    }

    private String string(Object[] args, int index, String function, String what) {
        if (args.length <= index || !(args[index] instanceof CharSequence text)) {
            throw ScriptRuntime.typeError(function + ": " + what + " must be a string");
        }
        if (text.length() > limits.stringLength()) {
            throw ScriptRuntime.rangeError(function + ": " + what + " has " + text.length() + " characters; at most "
                    + limits.stringLength());
        }
        return text.toString();
    }

    private Object parse(Context cx, Scriptable scope, String json) {
        return jsonParse.call(cx, scope, scope, new Object[] {json});
    }

    /** The run ended; {@code valueJson} is its completion value as JSON, or null when not kept. */
    ScriptResult completed(String valueJson) {
        return new ScriptResult.Completed(output.toString(), valueJson, contextWrites, dispatches, flowStarts);
    }

    /**
     * The run ended with {@code value}, its script's completion value (that of its last expression
     * statement), kept as JSON.
     *
     * @throws org.mozilla.javascript.EcmaError a TypeError if the value cannot be JSON (a cycle, a BigInt)
     */
    ScriptResult completedWithValue(Context cx, Scriptable scope, Object value) {
        if (value == null || Undefined.isUndefined(value)) {
            return completed(null);
        }
        Object json;
        try {
            json = jsonStringify.call(cx, scope, scope, new Object[] {value});
        } catch (EcmaError e) {
            throw ScriptRuntime.typeError("the script's value (its last expression's) cannot be saved as JSON: " + e.details());
        }
        return completed(json instanceof CharSequence text ? text.toString() : null);
    }

    ScriptResult failed(String message, int line) {
        return new ScriptResult.Failed(output.toString(), message, line);
    }
}
