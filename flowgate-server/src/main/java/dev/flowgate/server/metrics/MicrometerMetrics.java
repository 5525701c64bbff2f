package dev.flowgate.server.metrics;

import dev.flowgate.EngineStatus;
import dev.flowgate.metrics.Metrics;
import dev.flowgate.routing.ProcessorStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * The engine's metrics in a Micrometer registry, scraped as Prometheus text at {@code GET /metrics}.
 * Events become timers (count, total and max per tag set), each looked up once and then cached, so
 * recording one on the request path is a map read and a few atomic adds; levels are gauges that
 * read the engine's status when scraped.
 */
public final class MicrometerMetrics implements Metrics {
    /** The breaker states a processor's gauge reports, one series each (1 for the current one). */
    private static final List<String> BREAKER_STATES = List.of("closed", "open", "half_open", "forced_open",
            "disabled", "metrics_only");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    @Override
    public void intake(String result, long nanos) {
        timer("flowgate.intake", "result", result, null, null).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void attempt(String processor, String outcome, long nanos) {
        timer("flowgate.processor.calls", "processor", processor, "outcome", outcome)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void taskRun(String kind, String ending, long nanos) {
        timer("flowgate.task.runs", "kind", kind, "ending", ending).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String name, String tag1, String value1, String tag2, String value2) {
        String key = name + '\0' + value1 + '\0' + value2;
        Timer timer = timers.get(key);
        if (timer == null) {
            Timer.Builder builder = Timer.builder(name).tag(tag1, value1);
            if (tag2 != null) {
                builder.tag(tag2, value2);
            }
            timer = timers.computeIfAbsent(key, k -> builder.register(registry));
        }
        return timer;
    }

    /**
     * Registers the gauges of an engine's levels: payments queued, attempts in flight, and per
     * processor its calls in flight, their limit and its breaker state.
     */
    public void watch(Supplier<EngineStatus> status, List<String> processors) {
        Gauge.builder("flowgate.settlement.queued", status, s -> s.get().queued())
                .description("payments waiting for settlement, due now or later").register(registry);
        Gauge.builder("flowgate.settlement.in_flight", status, s -> s.get().inFlight())
                .description("settlement attempts running now").register(registry);
        for (String processor : processors) {
            processorGauge("flowgate.processor.in_flight", status, processor, ProcessorStatus::inFlight)
                    .description("calls to the processor in flight now").register(registry);
            processorGauge("flowgate.processor.in_flight_limit", status, processor, ProcessorStatus::inFlightLimit)
                    .description("calls in flight allowed now, as adapted to its latency").register(registry);
            for (String state : BREAKER_STATES) {
                processorGauge("flowgate.processor.breaker", status, processor, p -> p.breaker().equals(state) ? 1 : 0)
                        .tag("state", state).description("1 for the breaker's current state").register(registry);
            }
        }
    }

    private static Gauge.Builder<Supplier<EngineStatus>> processorGauge(String name, Supplier<EngineStatus> status,
            String processor, ToIntFunction<ProcessorStatus> value) {
        return Gauge.builder(name, status, s -> processor(s, processor).map(value::applyAsInt).orElse(0))
                .tag("processor", processor);
    }

    private static Optional<ProcessorStatus> processor(Supplier<EngineStatus> status, String name) {
        return status.get().processors().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Every meter in the Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }
}
