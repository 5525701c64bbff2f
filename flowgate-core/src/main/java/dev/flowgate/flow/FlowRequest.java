package dev.flowgate.flow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a task of kind {@value FlowTasks#KIND} runs, as its payload holds it:
 * {@code {"flow": NAME}} (the file NAME.js in the flows directory) or {@code {"script": SOURCE}},
 * with {@code "globals": {NAME: JSON, ...}} (for example {@code input}, {@code parsed_data}).
 *
 * @param globals global name to JSON text
 */
public record FlowRequest(String flow, String script, Map<String, String> globals) {
    /** A flow's name: also its file's name without {@code .js}, so nothing that could leave the directory. */
    public static final Pattern FLOW_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern GLOBAL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    private static final JsonFactory JSON = new JsonFactory();

    public FlowRequest {
        if ((flow == null) == (script == null)) {
            throw new IllegalArgumentException("a flow task runs either a flow or a script, not both or neither");
        }
        if (flow != null && !FLOW_NAME.matcher(flow).matches()) {
            throw new IllegalArgumentException("'" + flow + "' is not a flow name: 1 to 64 letters, digits, '.', '-' or '_'");
        }
        for (String name : globals.keySet()) {
            if (!GLOBAL_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not a global's name");
            }
        }
        globals = Map.copyOf(globals);
    }

    public static FlowRequest ofFlow(String flow, Map<String, String> globals) {
        return new FlowRequest(flow, null, globals);
    }

    public static FlowRequest ofScript(String script, Map<String, String> globals) {
        return new FlowRequest(null, script, globals);
    }

    /** The payload that {@link #parse} reads back. */
    public String toJson() {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            if (flow != null) {
                json.writeStringField("flow", flow);
            } else {
                json.writeStringField("script", script);
            }
            json.writeObjectFieldStart("globals");
            for (Map.Entry<String, String> global : globals.entrySet()) {
                json.writeFieldName(global.getKey());
                json.writeRawValue(global.getValue());
            }
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /**
     * Reads a payload.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static FlowRequest parse(String payload) {
        String flow = null;
        String script = null;
        Map<String, String> globals = new LinkedHashMap<>();
        try (JsonParser json = JSON.createParser(payload)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a flow task's payload is a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                switch (field) {
                    case "flow" -> flow = text(json, value, field);
                    case "script" -> script = text(json, value, field);
                    case "globals" -> {
                        if (value != JsonToken.START_OBJECT) {
                            throw new IllegalArgumentException("'globals' is an object of JSON values");
                        }
                        while (json.nextToken() == JsonToken.FIELD_NAME) {
                            String name = json.currentName();
                            json.nextToken();
                            globals.put(name, copyValue(json));
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown field '" + field + "' in a flow task's payload");
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a flow task's payload is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("a flow task's payload is not JSON: " + e.getMessage());
        }
        return new FlowRequest(flow, script, globals);
    }

    private static String text(JsonParser json, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("'" + field + "' is a string");
        }
        return json.getText();
    }

    /**
     * {@code json} as compact JSON text, for a global given as text.
     *
     * @throws IllegalArgumentException if it is not exactly one JSON value
     */
    public static String normalizedJson(String json) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() == null) {
                throw new IllegalArgumentException("empty JSON: give one JSON value");
            }
            String value = copyValue(parser);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("more than one JSON value");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
    }

    /** The JSON value at the parser's current token, as text (for a global read from a request). */
    public static String copyValue(JsonParser json) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.createGenerator(text)) {
            out.copyCurrentStructure(json);
        }
        return text.toString();
    }
}
