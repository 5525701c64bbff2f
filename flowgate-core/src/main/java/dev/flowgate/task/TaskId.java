package dev.flowgate.task;

import java.util.Objects;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * A task's id: a version 7 UUID (RFC 9562: milliseconds since the epoch, then random bits), made
 * by whoever enqueues the task, so it is known before the task is durable and ids sort by the time
 * they were made.
 */
public record TaskId(UUID value) implements Comparable<TaskId> {
    public TaskId {
        Objects.requireNonNull(value, "value");
    }

    /** A new id for a task made at {@code epochMillis}. */
    public static TaskId generate(long epochMillis, RandomGenerator random) {
        long msb = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new TaskId(new UUID(msb, lsb));
    }

    /**
     * The id written as {@link #toString()} writes it.
     *
     * @throws IllegalArgumentException if {@code text} is not a UUID in its canonical form
     */
    public static TaskId parse(String text) {
        if (text == null || text.length() != 36) {
            throw new IllegalArgumentException("a task id is a UUID of 36 characters");
        }
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (dash ? c != '-' : !hex) {
                throw new IllegalArgumentException("a task id is a UUID (hex digits and dashes, 8-4-4-4-12)");
            }
        }
        return new TaskId(UUID.fromString(text));
    }

    @Override
    public int compareTo(TaskId other) {
        // UUID.compareTo compares signed halves; ids compare as the unsigned numbers they write.
        int high = Long.compareUnsigned(value.getMostSignificantBits(), other.value.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(value.getLeastSignificantBits(), other.value.getLeastSignificantBits());
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
