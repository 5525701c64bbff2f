package dev.flowgate.routing;

/**
 * Whether this instance is the one that polls a processor's health. Processors allow one health
 * call per 5 s for all callers together, so a deployment has exactly one poller per processor.
 * Embedded there is one instance and it always holds the lease; a cluster elects the holder.
 */
@FunctionalInterface
public interface PollerLease {
    boolean holds(String processor);

    /** The lease of a single-instance deployment. */
    static PollerLease solo() {
        return processor -> true;
    }
}
