package dev.flowgate.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The latest health of each processor as the deployment's single poller saw it. Embedded, this is
 * memory; in a cluster the same role is played by a shared store that the elected poller writes
 * and every instance reads.
 */
public final class HealthBoard {
    /**
     * A processor's own word on its state.
     *
     * @param failing         its failure switch
     * @param minResponseTime the delay it adds to every payment
     * @param observedAt      when the poller got this answer
     */
    public record Health(boolean failing, Duration minResponseTime, Instant observedAt) {
    }

    private final Map<String, Health> latest = new ConcurrentHashMap<>();
    private final BiConsumer<String, Health> onChange;

    /** @param onChange told of every published health, on the poller's thread */
    public HealthBoard(BiConsumer<String, Health> onChange) {
        this.onChange = onChange;
    }

    public void publish(String processor, Health health) {
        latest.put(processor, health);
        onChange.accept(processor, health);
    }

    /** The last health published for the processor, if any. */
    public Optional<Health> latest(String processor) {
        return Optional.ofNullable(latest.get(processor));
    }
}
