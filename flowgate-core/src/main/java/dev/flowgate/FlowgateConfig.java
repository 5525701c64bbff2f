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
 * Everything an engine is built from. Immutable; start from {@link #defaults()} and change what
 * differs with the {@code with...} methods.
 *
 * @param dataDir          where the embedded database lives
 * @param processors       the processors, cheapest (preferred) first
 * @param durability       what "journaled" means before intake answers
 * @param workers          concurrent settlement attempts (virtual threads)
 * @param processorTimeout how long one processor call may take before its outcome counts as unknown
 * @param connectTimeout   how long connecting to a processor may take (a failure here is safe to retry anywhere)
 * @param maxAttempts      sends after which an unpinned payment is marked failed
 * @param backoffBase      first retry wait for a payment that must wait
 * @param backoffCap       longest retry wait
 * @param routing          how the router weighs fees against latency, and its breakers' settings
 */
public record FlowgateConfig(
        Path dataDir,
        List<ProcessorConfig> processors,
        Durability durability,
        int workers,
        Duration processorTimeout,
        Duration connectTimeout,
        int maxAttempts,
        Duration backoffBase,
        Duration backoffCap,
        RoutingPolicy routing) {

    public FlowgateConfig {
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
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1: " + maxAttempts);
        }
    }

    /** The contest's pair on their usual ports, data in {@code ./data}, fsync on every commit. */
    public static FlowgateConfig defaults() {
        return new FlowgateConfig(
                Path.of("data"),
                List.of(new ProcessorConfig("default", URI.create("http://127.0.0.1:8001"), new BigDecimal("0.05")),
                        new ProcessorConfig("fallback", URI.create("http://127.0.0.1:8002"), new BigDecimal("0.15"))),
                Durability.FSYNC,
                1024,
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                1000,
                Duration.ofMillis(50),
                Duration.ofSeconds(2),
                RoutingPolicy.defaults());
    }

    public FlowgateConfig withDataDir(Path dataDir) {
        return new FlowgateConfig(dataDir, processors, durability, workers, processorTimeout, connectTimeout,
                maxAttempts, backoffBase, backoffCap, routing);
    }

    public FlowgateConfig withProcessors(List<ProcessorConfig> processors) {
        return new FlowgateConfig(dataDir, processors, durability, workers, processorTimeout, connectTimeout,
                maxAttempts, backoffBase, backoffCap, routing);
    }

    public FlowgateConfig withDurability(Durability durability) {
        return new FlowgateConfig(dataDir, processors, durability, workers, processorTimeout, connectTimeout,
                maxAttempts, backoffBase, backoffCap, routing);
    }

    public FlowgateConfig withWorkers(int workers) {
        return new FlowgateConfig(dataDir, processors, durability, workers, processorTimeout, connectTimeout,
                maxAttempts, backoffBase, backoffCap, routing);
    }

    public FlowgateConfig withProcessorTimeout(Duration processorTimeout) {
        return new FlowgateConfig(dataDir, processors, durability, workers, processorTimeout, connectTimeout,
                maxAttempts, backoffBase, backoffCap, routing);
    }

    public FlowgateConfig withMaxAttempts(int maxAttempts) {
        return new FlowgateConfig(dataDir, processors, durability, workers, processorTimeout, connectTimeout,
                maxAttempts, backoffBase, backoffCap, routing);
    }

    public FlowgateConfig withRouting(RoutingPolicy routing) {
        return new FlowgateConfig(dataDir, processors, durability, workers, processorTimeout, connectTimeout,
                maxAttempts, backoffBase, backoffCap, routing);
    }

    private static void requirePositive(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + duration);
        }
    }
}
