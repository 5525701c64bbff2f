package dev.flowgate.testkit.processor;

/**
 * A request the emulator answers with a 4xx before doing any work. An exception rather than a
 * result type because refusals come from deep inside body reading and parsing, and every one of
 * them ends the request the same way. No stack trace: these are expected, possibly by the thousand.
 */
final class RequestRefused extends Exception {
    private final int status;

    private RequestRefused(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static RequestRefused badRequest(String message) {
        return new RequestRefused(400, message);
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
