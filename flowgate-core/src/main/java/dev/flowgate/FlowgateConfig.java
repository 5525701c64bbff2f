package dev.flowgate;

import dev.flowgate.routing.RoutingPolicy;
import dev.flowgate.store.Durability;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Everything an engine is built from. Immutable; made with {@link #builder()}, which starts from
 * the defaults.
 *
 * @param dataDir          where the embedded database lives
 * @param processors       the processors, cheapest (preferred) first
 * @param durability       what "journaled" means before intake answers
 * @param workers          concurrent settlement attempts (virtual threads)
 * @param processorTimeout how long one processor call may take before its outcome counts as unknown
 * @param connectTimeout   how long connecting to a processor may take (a failure here is safe to retry anywhere)
 * @param backoffBase      first retry wait for a payment that must wait
 * @param backoffCap       longest retry wait: during an outage, each waiting payment costs about one
 *                         attempt per cap
 * @param routing          how the router weighs fees against latency, and its breakers' settings
 * @param flowsDir         where flow scripts live ({@code NAME.js}); it need not exist
 */
public record FlowgateConfig(
        Path dataDir,
        List<ProcessorConfig> processors,
        Durability durability,
        int workers,
        Duration processorTimeout,
        Duration connectTimeout,
        Duration backoffBase,
        Duration backoffCap,
        RoutingPolicy routing,
        Path flowsDir) {

    public FlowgateConfig {
        Objects.requireNonNull(flowsDir, "flowsDir");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(routing, "routing");
        processors = List.copyOf(processors);
        if (processors.isEmpty()) {
            throw new IllegalArgumentException("at least one processor must be configured");
        }
        var names = new HashSet<String>();
        for (ProcessorConfig p : processors) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("processor '" + p.name() + "' is configured twice");
            }
        }
        if (workers < 1 || workers > 100_000) {
            throw new IllegalArgumentException("workers must be between 1 and 100000: " + workers);
        }
        requirePositive(processorTimeout, "processor timeout");
        requirePositive(connectTimeout, "connect timeout");
        requirePositive(backoffBase, "backoff base");
        requirePositive(backoffCap, "backoff cap");
    }

    /** The defaults: the contest's pair on their usual ports, data in {@code ./data}, fsync on every commit. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link FlowgateConfig}; starts from the defaults, validates on {@link #build()}. */
    public static final class Builder {
        private Path dataDir = Path.of("data");
        private Path flowsDir = Path.of("flows");
        private List<ProcessorConfig> processors = List.of(
                new ProcessorConfig("default", URI.create("http://127.0.0.1:8001"), new BigDecimal("0.05")),
                new ProcessorConfig("fallback", URI.create("http://127.0.0.1:8002"), new BigDecimal("0.15")));
        private Durability durability = Durability.FSYNC;
        private int workers = 1024;
        private Duration processorTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration backoffBase = Duration.ofMillis(50);
        private Duration backoffCap = Duration.ofSeconds(2);
        private RoutingPolicy routing = RoutingPolicy.defaults();

        private Builder() {
        }

        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder flowsDir(Path flowsDir) {
            this.flowsDir = flowsDir;
            return this;
        }

        public Builder processors(List<ProcessorConfig> processors) {
            this.processors = processors;
            return this;
        }

        public Builder durability(Durability durability) {
            this.durability = durability;
            return this;
        }

        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        public Builder processorTimeout(Duration processorTimeout) {
            this.processorTimeout = processorTimeout;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder backoff(Duration base, Duration cap) {
            this.backoffBase = base;
            this.backoffCap = cap;
            return this;
        }

        public Builder routing(RoutingPolicy routing) {
            this.routing = routing;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid setting */
        public FlowgateConfig build() {
            return new FlowgateConfig(dataDir, processors, durability, workers, processorTimeout, connectTimeout,
                    backoffBase, backoffCap, routing, flowsDir);
        }
    }

    private static void requirePositive(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + duration);
        }
    }
}
