package dev.flowgate.server.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes {@code a=1&b=2}; a malformed escape or a parameter given twice is an
 * {@link IllegalArgumentException} with a clear message.
 */
final class QueryString {
    private static final int MAX_PARAMETERS = 32;

    private QueryString() {
    }

    static Map<String, String> parse(String query) {
        Map<String, String> params = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        String[] pairs = query.split("&", MAX_PARAMETERS + 1);
        if (pairs.length > MAX_PARAMETERS) {
            throw new IllegalArgumentException("more than " + MAX_PARAMETERS + " query parameters");
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            String decodedName;
            String decodedValue;
            try {
                // Keep '+' literal: instants carry offsets like +02:00 that clients rarely escape.
                decodedName = URLDecoder.decode(name.replace("+", "%2B"), StandardCharsets.UTF_8);
                decodedValue = URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed percent-escape in the query string");
            }
            if (params.putIfAbsent(decodedName, decodedValue) != null) {
                // Which of two values would count is a guess either way: say so instead.
                throw new IllegalArgumentException("query parameter '" + Problems.bounded(decodedName) + "' is given twice");
            }
        }
        return params;
    }
}
