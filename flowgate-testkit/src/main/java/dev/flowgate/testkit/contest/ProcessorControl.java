package dev.flowgate.testkit.contest;

import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** One payment processor as the load test drives it: purge, switch conditions, read summaries. */
interface ProcessorControl {

    /** "default" or "fallback", for messages. */
    String name();

    /** Deletes every payment it holds. */
    void purge() throws IOException;

    /** Sets its delay and failure switch. */
    void apply(Condition condition) throws IOException;

    /** Its own admin summary over the window, both bounds inclusive. */
    Summary summary(CheckWindow window) throws IOException;

    /** The correlation ids it holds, where they can be read without an admin API for it (an emulator in this process). */
    Optional<Set<UUID>> paymentIds();
}
