package dev.flowgate.flow;

import java.time.Duration;
import java.util.Objects;

/**
 * What one run of a script may use. A run that goes past a limit fails with a message naming it;
 * the worker that ran it carries on.
 *
 * @param instructions   interpreter instructions per run (checked every {@value ScriptSandbox#CHECK_EVERY})
 * @param callDepth      nested calls, at most (Rhai's default is 64)
 * @param stringLength   characters a built-in may make one string of ({@code repeat}, {@code padStart},
 *                       {@code join}), and that {@code print} and the context accept
 * @param arrayLength    elements a built-in may walk or fill in one call
 * @param allocatedBytes heap a run may allocate in all (not what it keeps: what it asks for)
 * @param outputChars    characters {@code print} may add to the output; the rest is cut and marked
 * @param deadline       wall-clock time per run
 */
public record ScriptLimits(long instructions, int callDepth, int stringLength, int arrayLength, long allocatedBytes,
                           int outputChars, Duration deadline) {
    /** Generous for a flow that reads a response and chains the next call; strict for a loop that never ends. */
    public static final ScriptLimits DEFAULT = new ScriptLimits(50_000_000, 64, 1 << 20, 100_000, 256L << 20,
            64 * 1024, Duration.ofSeconds(5));

    public ScriptLimits {
        Objects.requireNonNull(deadline, "deadline");
        if (instructions < ScriptSandbox.CHECK_EVERY || callDepth < 1 || callDepth > 10_000 || stringLength < 1
                || arrayLength < 1 || allocatedBytes < 1 << 20 || outputChars < 0 || !deadline.isPositive()) {
            throw new IllegalArgumentException("script limits out of range: " + instructions + " instructions, depth "
                    + callDepth + ", string " + stringLength + ", array " + arrayLength + ", " + allocatedBytes
                    + " bytes, output " + outputChars + ", deadline " + deadline);
        }
    }
}
