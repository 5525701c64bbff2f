package dev.flowgate.server.api;

import dev.flowgate.server.http.HttpRequest;
import dev.flowgate.server.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Every route of the API: a method, a path ({@code /payments}, or a template such as
 * {@code /payments/{id}/retry} whose braces match one path segment) and who may call it. Each
 * capability registers its own ({@link PaymentRoutes}, {@link HealthRoutes}, ...); the
 * {@link ApiHandler} dispatches. Exact paths are one map lookup, so the hot route costs no parsing.
 */
public final class RouteTable {
    /** Answers one route; {@code path} holds the template's segments by name. */
    @FunctionalInterface
    public interface Handler {
        HttpResponse handle(HttpRequest request, Map<String, String> path);
    }

    /** Who may call a route. */
    public enum Access { ANYONE, ADMIN }

    record Route(String method, String template, Access access, Handler handler) {
    }

    /** What a request's method and path found. */
    sealed interface Match {
        record Found(Route route, Map<String, String> path) implements Match {
        }

        /** The path exists, not with that method; {@code allowed} lists the methods it has. */
        record WrongMethod(String allowed) implements Match {
        }

        record NotFound() implements Match {
        }
    }

    private final Map<String, List<Route>> exact = new HashMap<>();
    private final List<Route> templated = new ArrayList<>();

    public RouteTable get(String template, Access access, Handler handler) {
        return add("GET", template, access, handler);
    }

    public RouteTable post(String template, Access access, Handler handler) {
        return add("POST", template, access, handler);
    }

    private RouteTable add(String method, String template, Access access, Handler handler) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("a route starts with '/': " + template);
        }
        Route route = new Route(method, template, access, handler);
        if (template.contains("{")) {
            templated.add(route);
        } else {
            exact.computeIfAbsent(template, t -> new ArrayList<>()).add(route);
        }
        return this;
    }

    Match match(String method, String path) {
        List<Route> candidates = exact.get(path);
        if (candidates != null) {
            return pick(method, candidates, Map.of());
        }
        List<Route> found = new ArrayList<>();
        Map<String, String> segments = null;
        for (Route route : templated) {
            Map<String, String> captured = capture(route.template(), path);
            if (captured != null) {
                found.add(route);
                segments = captured;
            }
        }
        return found.isEmpty() ? new Match.NotFound() : pick(method, found, segments);
    }

    private static Match pick(String method, List<Route> routes, Map<String, String> segments) {
        TreeSet<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            if (route.method().equals(method)) {
                return new Match.Found(route, segments);
            }
            allowed.add(route.method());
        }
        return new Match.WrongMethod(String.join(", ", allowed));
    }

    /** The template's named segments in {@code path}, or null if the path is not of this template. */
    private static Map<String, String> capture(String template, String path) {
        if (!path.startsWith("/")) {
            return null;
        }
        String[] want = template.substring(1).split("/", -1);
        String[] have = path.substring(1).split("/", -1);
        if (want.length != have.length) {
            return null;
        }
        Map<String, String> captured = new HashMap<>();
        for (int i = 0; i < want.length; i++) {
            if (want[i].startsWith("{") && want[i].endsWith("}")) {
                // Even an empty one: the handler says what a valid one is, which a 404 would not.
                captured.put(want[i].substring(1, want[i].length() - 1), have[i]);
            } else if (!want[i].equals(have[i])) {
                return null;
            }
        }
        return captured;
    }
}
