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

    boolean tokenMatches(String presented) {
        return presented != null && presented.equals(token.get());
    }

    void replaceToken(String newToken) {
        token.set(newToken);
    }

    Duration delay() {
        return Duration.ofMillis(delayMillis.get());
    }

    int delayMillis() {
        return delayMillis.get();
    }

    /** Sets the delay and returns the one it replaced, both in milliseconds. */
    int replaceDelayMillis(int millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("delay must be >= 0 ms: " + millis);
        }
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
