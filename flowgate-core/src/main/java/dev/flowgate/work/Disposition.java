package dev.flowgate.work;

import java.time.Instant;

/** What a handler decided about an item of work. */
public sealed interface Disposition<T> {
    /** Finished for good (settled, failed, or gone): the item leaves the queue. */
    record Done<T>() implements Disposition<T> {
    }

    /** Not finished: put {@code next} back on the queue, due at {@code at}. */
    record Retry<T>(T next, Instant at) implements Disposition<T> {
    }
}
