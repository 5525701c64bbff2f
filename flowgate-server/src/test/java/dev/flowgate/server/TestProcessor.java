package dev.flowgate.server;

import dev.flowgate.testkit.processor.ProcessorEmulator;
import dev.flowgate.testkit.reference.ReferenceProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;

/**
 * A payment processor an integration test runs against: the testkit's emulator, or the reference
 * processor (someone else's reimplementation of the contest's), with the few controls both share.
 */
interface TestProcessor extends AutoCloseable {
    URI baseUri();

    void setDelay(Duration delay);

    void setFailing(boolean failing);

    /** True if it holds this payment (asked through its own {@code GET /payments/{id}} or state). */
    boolean holds(UUID correlationId);

    long storedCount();

    @Override
    void close();

    /** Which kind to start: tests run against each. */
    enum Kind {
        EMULATOR, REFERENCE;

        TestProcessor start(BigDecimal fee) throws IOException {
            return this == EMULATOR ? emulated(fee) : reference(fee);
        }
    }

    static TestProcessor emulated(BigDecimal fee) throws IOException {
        ProcessorEmulator emulator = ProcessorEmulator.start(ProcessorEmulator.Options.defaults().withFee(fee)
                .withHealthRateLimit(Duration.ofMillis(200), 2));
        return new TestProcessor() {
            @Override
            public URI baseUri() {
                return emulator.baseUri();
            }

            @Override
            public void setDelay(Duration delay) {
                emulator.setDelay(delay);
            }

            @Override
            public void setFailing(boolean failing) {
                emulator.setFailing(failing);
            }

            @Override
            public boolean holds(UUID correlationId) {
                return emulator.find(correlationId).isPresent();
            }

            @Override
            public long storedCount() {
                return emulator.storedCount();
            }

            @Override
            public void close() {
                emulator.close();
            }
        };
    }

    static TestProcessor reference(BigDecimal fee) throws IOException {
        ReferenceProcessor reference = ReferenceProcessor.start(ReferenceProcessor.Options.defaults().withFee(fee)
                .withHealthWindowSeconds(1));
        return new TestProcessor() {
            @Override
            public URI baseUri() {
                return reference.baseUri();
            }

            @Override
            public void setDelay(Duration delay) {
                unchecked(() -> reference.setDelay(delay));
            }

            @Override
            public void setFailing(boolean failing) {
                unchecked(() -> reference.setFailing(failing));
            }

            @Override
            public boolean holds(UUID correlationId) {
                try {
                    return reference.find(correlationId).isPresent();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public long storedCount() {
                try {
                    return reference.storedCount();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void close() {
                reference.close();
            }
        };
    }

    private static void unchecked(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }
}
