package dev.flowgate.http;

import java.util.Objects;

/**
 * What is wrong with a request, in the shape of RFC 9457 problem details: an HTTP status, a short
 * title, a detail sentence for a person, and the offending field when there is one.
 *
 * @param status HTTP status the problem maps to (4xx)
 * @param title  short, stable summary of the problem type
 * @param detail what exactly was wrong, never echoing more than a bounded part of the input
 * @param field  the JSON field or parameter at fault, or {@code null}
 */
public record Problem(int status, String title, String detail, String field) {
    public Problem {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(detail, "detail");
    }

    public static Problem badRequest(String field, String detail) {
        return new Problem(400, "Invalid request", detail, field);
    }
}
