package dev.flowgate.server.api;

import dev.flowgate.Flowgate;
import dev.flowgate.http.Problem;
import dev.flowgate.server.http.HttpHandler;
import dev.flowgate.server.http.HttpRequest;
import dev.flowgate.server.http.HttpResponse;
import dev.flowgate.server.metrics.MicrometerMetrics;
import dev.flowgate.store.StoreException;
import java.util.Objects;

/**
 * Where every request goes: the {@link RouteTable}'s route for its method and path, behind the
 * admin check for admin routes. Errors that any route may meet become problem+json here, in one
 * place: 404, 405 (with {@code Allow}), 401/403 for admin routes, 503 when the store cannot be used.
 */
public final class ApiHandler implements HttpHandler {
    private final RouteTable routes;
    private final AdminAccess admin;
    private final Json json = new Json();

    /** The API of {@code engine}, whose metrics go to {@code metrics}: every capability's routes, registered here. */
    public static ApiHandler of(Flowgate engine, MicrometerMetrics metrics, AdminAccess admin) {
        RouteTable routes = new RouteTable();
        new PaymentRoutes(engine).register(routes);
        new TaskRoutes(engine).register(routes);
        new FlowRoutes(engine).register(routes);
        new HealthRoutes(engine).register(routes);
        new MetricsRoutes(metrics).register(routes);
        return new ApiHandler(routes, admin);
    }

    /** @param admin who may call {@link RouteTable.Access#ADMIN} routes */
    public ApiHandler(RouteTable routes, AdminAccess admin) {
        this.routes = routes;
        this.admin = Objects.requireNonNull(admin, "admin");
    }

    @Override
    public HttpResponse handle(HttpRequest request) {
        return switch (routes.match(request.method(), request.path())) {
            case RouteTable.Match.Found found -> call(found, request);
            case RouteTable.Match.WrongMethod wrong -> problem(405, "Method not allowed",
                    Problems.bounded(request.method()) + " is not allowed here; use " + wrong.allowed())
                    .withHeader("Allow", wrong.allowed());
            case RouteTable.Match.NotFound notFound ->
                    problem(404, "Not found", "no resource at " + Problems.bounded(request.path()));
        };
    }

    private HttpResponse call(RouteTable.Match.Found found, HttpRequest request) {
        if (found.route().access() == RouteTable.Access.ADMIN) {
            HttpResponse refusal = adminRefusal(request);
            if (refusal != null) {
                return refusal;
            }
        }
        try {
            return found.route().handler().handle(request, found.path());
        } catch (StoreException e) {
            return problem(503, "Store unavailable", "the journal cannot be used right now; retry later");
        }
    }

    /** Why this client may not make an admin request, or null if it may. */
    private HttpResponse adminRefusal(HttpRequest request) {
        return switch (admin) {
            case AdminAccess.Open open -> null;
            case AdminAccess.LoopbackOnly loopback -> request.peer() != null && request.peer().isLoopbackAddress()
                    ? null
                    : problem(403, "Forbidden", "admin endpoints answer only clients on this machine while no admin "
                            + "token is configured: start with --admin-token-file FILE (or --admin-token), "
                            + "or with --admin open to open them on purpose");
            case AdminAccess.Token token -> token.matches(request.header("x-admin-token"))
                    ? null
                    : problem(401, "Unauthorized", "this needs the admin token in X-Admin-Token");
        };
    }

    @Override
    public HttpResponse refused(int status, String detail) {
        return problem(status, ResponseTitles.of(status), detail);
    }

    private HttpResponse problem(int status, String title, String detail) {
        return json.problem(new Problem(status, title, detail, null));
    }
}
