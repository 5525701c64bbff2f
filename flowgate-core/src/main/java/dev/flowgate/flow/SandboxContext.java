package dev.flowgate.flow;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.mozilla.javascript.Context;

/** A context that keeps one run's account: instructions, time and heap allocated since it was armed. */
final class SandboxContext extends Context {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Ends a run that went past a limit. An {@link Error}, so that no script can catch it: Rhino's
     * interpreter runs neither {@code catch} nor {@code finally} blocks for one.
     */
    static final class LimitExceeded extends Error {
        private final int line;

        LimitExceeded(String message, int line) {
            super(message, null, false, false);
            this.line = line;
        }

        int line() {
            return line;
        }
    }

    private final ScriptLimits limits;
    private boolean armed;
    private long instructions;
    private long deadlineNanos;
    private long deadlineMillis;
    private long allocatedAtStart;

    SandboxContext(SandboxContextFactory factory, ScriptLimits limits) {
        super(factory);
        this.limits = limits;
    }

    /** Starts a run's account, with {@code deadline} as its wall-clock limit. */
    void arm(Duration deadline) {
        instructions = 0;
        deadlineMillis = deadline.toMillis();
        deadlineNanos = System.nanoTime() + deadline.toNanos();
        allocatedAtStart = THREADS.getCurrentThreadAllocatedBytes();
        armed = true;
    }

    void disarm() {
        armed = false;
    }

    void observe(int count) {
        if (!armed) {
            return;
        }
        instructions += count;
        if (instructions > limits.instructions()) {
            throw exceeded("the script ran past its budget of " + limits.instructions() + " instructions");
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw exceeded("the script ran past its deadline of " + deadlineMillis + " ms");
        }
        if (Thread.currentThread().isInterrupted()) {
            throw exceeded("the script was stopped: its task was interrupted");
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes();
        if (allocatedAtStart >= 0 && allocated - allocatedAtStart > limits.allocatedBytes()) {
            throw exceeded("the script allocated more than " + (limits.allocatedBytes() >> 20) + " MB");
        }
    }

    private static LimitExceeded exceeded(String message) {
        // Rhino's runtime error carries the line the interpreter is at; it is made here, not thrown.
        return new LimitExceeded(message, Math.max(0, Context.reportRuntimeError(message).lineNumber()));
    }
}
