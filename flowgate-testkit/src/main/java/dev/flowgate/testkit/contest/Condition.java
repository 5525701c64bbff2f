package dev.flowgate.testkit.contest;

/**
 * What one processor is told to do from some point of a run on: wait {@code delayMillis} before
 * every payment answer, and answer 500 when {@code failing}.
 */
record Condition(int delayMillis, boolean failing) {

    static final Condition HEALTHY = new Condition(0, false);

    Condition {
        if (delayMillis < 0) {
            throw new IllegalArgumentException("delay must not be negative: " + delayMillis);
        }
    }

    @Override
    public String toString() {
        return delayMillis + " ms" + (failing ? ", failing" : "");
    }
}
