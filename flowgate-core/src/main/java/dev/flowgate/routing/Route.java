package dev.flowgate.routing;

import dev.flowgate.processor.ProcessorClient;
import java.time.Instant;

/** A router's decision for one payment attempt. */
public sealed interface Route {
    /** Send the attempt to this processor now. */
    record Send(ProcessorClient processor) implements Route {
    }

    /** No processor should be called now; try again at {@code until}. The payment stays queued. */
    record Wait(Instant until) implements Route {
    }
}
