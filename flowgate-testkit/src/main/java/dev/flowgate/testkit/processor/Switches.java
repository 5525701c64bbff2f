package dev.flowgate.testkit.processor;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The processor's run-time configuration: admin token, response delay and failure switch. Each is
 * swapped atomically so the admin answers' {@code was} is exactly the value replaced, even when
 * two admins race. Thread-safe.
 */
final class Switches {
    private final AtomicReference<String> token;
    private final AtomicInteger delayMillis = new AtomicInteger();
    private final AtomicBoolean failing = new AtomicBoolean();

    Switches(String token) {
        this.token = new AtomicReference<>(token);
    }

    /** With no token set, only a request without one (or with an empty one) passes, as on the processor. */
    boolean tokenMatches(String presented) {
        String current = token.get();
        return current == null ? presented == null || presented.isEmpty() : current.equals(presented);
    }

    /** @param newToken the new token, or null for none */
    void replaceToken(String newToken) {
        token.set(newToken);
    }

    /** The wait before a payment is handled; a negative delay, which the processor keeps, waits nothing. */
    Duration delay() {
        return Duration.ofMillis(Math.max(0, delayMillis.get()));
    }

    int delayMillis() {
        return delayMillis.get();
    }

    /** Sets the delay and returns the one it replaced, both in milliseconds. */
    int replaceDelayMillis(int millis) {
        return delayMillis.getAndSet(millis);
    }

    boolean failing() {
        return failing.get();
    }

    /** Sets the failure switch and returns the value it replaced. */
    boolean replaceFailing(boolean value) {
        return failing.getAndSet(value);
    }
}
