package dev.flowgate.server.http;

/** Answers requests; runs on the connection's virtual thread and may block. */
@FunctionalInterface
public interface HttpHandler {
    HttpResponse handle(HttpRequest request);

    /**
     * The answer to a request the server itself refused before any handler saw it (malformed,
     * too large, timed out). Lets the API give its usual error body.
     */
    default HttpResponse refused(int status, String detail) {
        return HttpResponse.text(status, detail);
    }
}
