package dev.flowgate.routing;

import dev.flowgate.payment.Payment;
import dev.flowgate.processor.HealthOutcome;
import dev.flowgate.processor.LookupOutcome;
import dev.flowgate.processor.ProcessorClient;
import dev.flowgate.processor.SendOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** A processor that only has a name: the router decides without ever calling one. */
record NamedProcessor(String name) implements ProcessorClient {
    @Override
    public SendOutcome send(Payment payment, Instant requestedAt) {
        throw new AssertionError("the router must not call processors");
    }

    @Override
    public LookupOutcome lookup(UUID correlationId) {
        throw new AssertionError("the router must not call processors");
    }

    @Override
    public HealthOutcome health(Duration timeout) {
        throw new AssertionError("the router must not call processors");
    }
}
