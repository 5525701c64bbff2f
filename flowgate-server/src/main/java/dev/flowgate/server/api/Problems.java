package dev.flowgate.server.api;

/** How client input appears in an error: never more than a bounded part of it. */
final class Problems {
    private static final int MAX_ECHO = 100;

    private Problems() {
    }

    /** At most 100 characters of {@code text}, marked when cut. */
    static String bounded(String text) {
        return text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO) + "...";
    }
}
