package dev.flowgate.server.api;

/** Problem titles for the refusals the HTTP layer makes before a request reaches the API. */
final class ResponseTitles {
    private ResponseTitles() {
    }

    static String of(int status) {
        return switch (status) {
            case 400 -> "Invalid request";
            case 408 -> "Request timeout";
            case 411 -> "Length required";
            case 413 -> "Body too large";
            case 431 -> "Headers too large";
            case 505 -> "HTTP version not supported";
            default -> "Request refused";
        };
    }
}
