package dev.flowgate.server.api;

import dev.flowgate.server.api.RouteTable.Access;
import dev.flowgate.server.http.HttpResponse;
import dev.flowgate.server.metrics.MicrometerMetrics;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code GET /metrics}: every meter in the Prometheus text format. */
public final class MetricsRoutes {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private final MicrometerMetrics metrics;

    public MetricsRoutes(MicrometerMetrics metrics) {
        this.metrics = metrics;
    }

    public RouteTable register(RouteTable routes) {
        return routes.get("/metrics", Access.ANYONE, (request, path) ->
                new HttpResponse(200, PROMETHEUS_TEXT, metrics.scrape().getBytes(StandardCharsets.UTF_8), Map.of()));
    }
}
