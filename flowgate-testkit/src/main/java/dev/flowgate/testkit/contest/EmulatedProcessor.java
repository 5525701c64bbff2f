package dev.flowgate.testkit.contest;

import dev.flowgate.testkit.processor.ProcessorEmulator;
import dev.flowgate.testkit.processor.ProcessorEmulator.StoredPayment;
import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A {@link ProcessorEmulator} in this process: its switches and summaries are method calls, so
 * switching conditions costs no HTTP round trip and a summary cannot time out. Purging has no method
 * on the emulator and goes through its admin API. Does not own the emulator.
 */
final class EmulatedProcessor implements ProcessorControl {

    private final String name;
    private final ProcessorEmulator emulator;
    private final AdminApiProcessor admin;

    EmulatedProcessor(String name, ProcessorEmulator emulator, LoopbackHttp http, String token) {
        this.name = name;
        this.emulator = emulator;
        this.admin = new AdminApiProcessor(name, http, token);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void purge() throws IOException {
        admin.purge();
    }

    @Override
    public void apply(Condition condition) {
        emulator.setDelay(Duration.ofMillis(condition.delayMillis()));
        emulator.setFailing(condition.failing());
    }

    @Override
    public Summary summary(CheckWindow window) {
        return emulator.summary(window.from(), window.to());
    }

    @Override
    public Optional<Set<UUID>> paymentIds() {
        return Optional.of(emulator.payments().stream().map(StoredPayment::correlationId).collect(Collectors.toSet()));
    }
}
