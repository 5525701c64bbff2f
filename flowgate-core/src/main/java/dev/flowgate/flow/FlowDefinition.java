package dev.flowgate.flow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A flow with steps: they run one after the other, each as a task of the flow's worker and
 * context, each seeing the outputs of those before it; when a step fails past its retries the flow
 * fails and its error flow runs. Immutable: each setter returns a new definition.
 *
 * <pre>{@code
 * FlowDefinition.named("onboard")
 *         .addStep(Step.named("customer").script("({id: 'cus_1'})").retries(2))
 *         .addStep(Step.named("welcome").flow("send_welcome"))
 * }</pre>
 *
 * @param errorFlow the flow that runs when a step fails for good; {@code NAME_error} unless set
 */
public record FlowDefinition(String name, List<Step> steps, String errorFlow) {
    public static final int MAX_STEPS = 64;
    private static final JsonFactory JSON = new JsonFactory();

    public FlowDefinition {
        if (name == null || !FlowRequest.FLOW_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a flow name: 1 to 64 letters, digits, '.', '-' or '_'");
        }
        steps = List.copyOf(steps);
        if (steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException("flow '" + name + "' has " + steps.size() + " steps; at most " + MAX_STEPS);
        }
        Set<String> names = new HashSet<>();
        for (Step step : steps) {
            if (!names.add(step.name())) {
                throw new IllegalArgumentException("flow '" + name + "' has two steps named '" + step.name() + "'");
            }
        }
        Objects.requireNonNull(errorFlow, "errorFlow");
        if (!FlowRequest.FLOW_NAME.matcher(errorFlow).matches()) {
            throw new IllegalArgumentException("flow '" + name + "': '" + errorFlow + "' is not a flow name");
        }
    }

    /** A flow with no steps yet, whose error flow is {@code NAME_error}. */
    public static FlowDefinition named(String name) {
        String errorFlow = name != null && name.length() <= 58 ? name + "_error" : "error";
        return new FlowDefinition(name, List.of(), errorFlow);
    }

    /**
     * @throws IllegalArgumentException if the step runs nothing, or the flow has one of its name already
     */
    public FlowDefinition addStep(Step step) {
        if (step.script() == null && step.flow() == null) {
            throw new IllegalArgumentException("step '" + step.name() + "' runs nothing: give it a script or a flow");
        }
        List<Step> more = new ArrayList<>(steps);
        more.add(step);
        return new FlowDefinition(name, more, errorFlow);
    }

    /** The flow that runs, with {@code parsed_error}, when a step fails for good. */
    public FlowDefinition onError(String flow) {
        return new FlowDefinition(name, steps, flow);
    }

    /** What {@link #parse} reads back. */
    public String toJson() {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("name", name);
            json.writeStringField("errorFlow", errorFlow);
            json.writeArrayFieldStart("steps");
            for (Step step : steps) {
                json.writeStartObject();
                json.writeStringField("name", step.name());
                if (step.script() != null) {
                    json.writeStringField("script", step.script());
                } else {
                    json.writeStringField("flow", step.flow());
                }
                if (step.timeout() != null) {
                    json.writeNumberField("timeoutMs", step.timeout().toMillis());
                }
                json.writeNumberField("retries", step.retries());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /**
     * Reads a definition as {@link #toJson} writes it; {@code errorFlow} may be left out.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static FlowDefinition parse(String text) {
        try (JsonParser json = JSON.createParser(text)) {
            json.nextToken();
            FlowDefinition definition = read(json);
            if (json.nextToken() != null) {
                throw new IllegalArgumentException("a flow definition is one JSON object");
            }
            return definition;
        } catch (IOException e) {
            throw new IllegalArgumentException("a flow definition is not JSON: " + e.getMessage());
        }
    }

    /** Reads the definition at the parser's current token, a {@code START_OBJECT}, through its end. */
    static FlowDefinition read(JsonParser json) throws IOException {
        expect(json.currentToken(), JsonToken.START_OBJECT, "a flow definition is a JSON object");
        String name = null;
        String errorFlow = null;
        List<Step> steps = new ArrayList<>();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            switch (field) {
                case "name" -> name = text(json, value, "the flow's name");
                case "errorFlow" -> errorFlow = text(json, value, "errorFlow");
                case "steps" -> {
                    expect(value, JsonToken.START_ARRAY, "'steps' is an array of steps");
                    while (json.nextToken() != JsonToken.END_ARRAY) {
                        if (steps.size() == MAX_STEPS) {
                            throw new IllegalArgumentException("a flow has at most " + MAX_STEPS + " steps");
                        }
                        steps.add(readStep(json));
                    }
                }
                default -> throw new IllegalArgumentException("unknown field '" + field + "' in a flow definition");
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("a flow definition needs a 'name'");
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("flow '" + name + "' has no steps");
        }
        FlowDefinition definition = named(name);
        for (Step step : steps) {
            definition = definition.addStep(step);
        }
        return errorFlow == null ? definition : definition.onError(errorFlow);
    }

    private static Step readStep(JsonParser json) throws IOException {
        expect(json.currentToken(), JsonToken.START_OBJECT, "a step is a JSON object");
        String name = null;
        String script = null;
        String flow = null;
        Duration timeout = null;
        int retries = 0;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken value = json.nextToken();
            switch (field) {
                case "name" -> name = text(json, value, "a step's name");
                case "script" -> script = text(json, value, "a step's script");
                case "flow" -> flow = text(json, value, "a step's flow");
                case "timeoutMs" -> timeout = Duration.ofMillis(number(json, value, "timeoutMs", Step.MAX_TIMEOUT.toMillis()));
                case "retries" -> retries = (int) number(json, value, "retries", Step.MAX_RETRIES);
                default -> throw new IllegalArgumentException("unknown field '" + field + "' in a step");
            }
        }
        return new Step(name, script, flow, timeout, retries);
    }

    private static void expect(JsonToken token, JsonToken expected, String message) {
        if (token != expected) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String text(JsonParser json, JsonToken value, String what) throws IOException {
        expect(value, JsonToken.VALUE_STRING, what + " is a string");
        return json.getText();
    }

    private static long number(JsonParser json, JsonToken value, String what, long max) throws IOException {
        expect(value, JsonToken.VALUE_NUMBER_INT, what + " is a whole number");
        long n = json.getLongValue();
        if (n < 0 || n > max) {
            throw new IllegalArgumentException(what + " is 0 to " + max + ": " + n);
        }
        return n;
    }
}
