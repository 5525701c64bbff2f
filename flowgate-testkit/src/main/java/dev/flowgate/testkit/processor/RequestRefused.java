package dev.flowgate.testkit.processor;

/**
 * A request the emulator answers with a 4xx and an empty body, as the processor does (ASP.NET's
 * binding failures carry no body). An exception rather than a result type because refusals come
 * from deep inside body reading and parsing, and every one of them ends the request the same way.
 * The message says why, for the emulator's own tests; it is never sent. No stack trace: these are
 * expected, possibly by the thousand.
 */
final class RequestRefused extends Exception {
    private final int status;

    private RequestRefused(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static RequestRefused badRequest(String why) {
        return new RequestRefused(400, why);
    }

    static RequestRefused unsupportedMediaType() {
        return new RequestRefused(415, "the body needs a JSON content type");
    }

    static RequestRefused unauthorized() {
        return new RequestRefused(401, "missing or wrong X-Rinha-Token");
    }

    static RequestRefused tooLarge(int limit) {
        return new RequestRefused(413, "the request body exceeds " + limit + " bytes");
    }

    int status() {
        return status;
    }
}
