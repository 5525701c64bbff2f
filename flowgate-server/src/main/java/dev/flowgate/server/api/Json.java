package dev.flowgate.server.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.flowgate.http.Problem;
import dev.flowgate.server.http.HttpRequest;
import dev.flowgate.server.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;

/** Writes the API's JSON bodies with Jackson's streaming generator; amounts as plain decimals. */
final class Json {
    @FunctionalInterface
    interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    private final JsonFactory factory = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    HttpResponse response(int status, Body body) {
        return HttpResponse.json(status, bytes(body));
    }

    /** An RFC 9457 problem body. */
    HttpResponse problem(Problem problem) {
        byte[] body = bytes(json -> {
            json.writeStartObject();
            json.writeStringField("type", "about:blank");
            json.writeStringField("title", problem.title());
            json.writeNumberField("status", problem.status());
            json.writeStringField("detail", problem.detail());
            if (problem.field() != null) {
                json.writeStringField("field", problem.field());
            }
            json.writeEndObject();
        });
        return new HttpResponse(problem.status(), "application/problem+json", body, Map.of());
    }

    /** Whether the request says its body is JSON. */
    static boolean hasJsonBody(HttpRequest request) {
        String contentType = request.header("content-type");
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    /** A string field, or a JSON null for a null value. */
    static void writeNullable(JsonGenerator json, String field, String value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeStringField(field, value);
        }
    }

    /** A request body's string field, or an {@link IllegalArgumentException} naming it. */
    static String string(JsonParser parser, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return parser.getText();
    }

    private byte[] bytes(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = factory.createGenerator(out)) {
            body.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return out.toByteArray();
    }
}
