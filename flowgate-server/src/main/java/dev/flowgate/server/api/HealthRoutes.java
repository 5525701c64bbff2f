package dev.flowgate.server.api;

import dev.flowgate.EngineStatus;
import dev.flowgate.Flowgate;
import dev.flowgate.routing.ProcessorStatus;
import dev.flowgate.server.api.RouteTable.Access;
import dev.flowgate.server.http.HttpResponse;

/** {@code GET /health}: processors as the router sees them, the queue and the workers. */
public final class HealthRoutes {
    private final Flowgate engine;
    private final Json json = new Json();

    public HealthRoutes(Flowgate engine) {
        this.engine = engine;
    }

    public RouteTable register(RouteTable routes) {
        return routes.get("/health", Access.ANYONE, (request, path) -> health());
    }

    private HttpResponse health() {
        EngineStatus status = engine.status();
        return json.response(200, out -> {
            out.writeStartObject();
            out.writeStringField("status", "up");
            out.writeNumberField("queued", status.queued());
            out.writeNumberField("inFlight", status.inFlight());
            out.writeArrayFieldStart("processors");
            for (ProcessorStatus p : status.processors()) {
                out.writeStartObject();
                out.writeStringField("name", p.name());
                out.writeStringField("breaker", p.breaker());
                out.writeNumberField("inFlight", p.inFlight());
                out.writeNumberField("inFlightLimit", p.inFlightLimit());
                out.writeNumberField("expectedLatencyMs", p.expectedLatencyMs());
                if (p.healthFailing() == null) {
                    out.writeNullField("failing");
                    out.writeNullField("minResponseTime");
                } else {
                    out.writeBooleanField("failing", p.healthFailing());
                    out.writeNumberField("minResponseTime", p.healthMinResponseMs());
                }
                Json.writeNullable(out, "lastOutcome", p.lastOutcome());
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        });
    }
}
