package dev.flowgate.flow;

import java.time.Duration;
import java.util.Objects;

/**
 * One step of a {@link FlowDefinition}: a script (inline, or a flow file) that runs as a task of
 * its own, after the steps before it completed, seeing their outputs. Immutable: each setter
 * returns a new step.
 *
 * <pre>{@code Step.named("customer").script("new_customer().email(input.email)").timeout(Duration.ofSeconds(5)).retries(2)}</pre>
 *
 * @param script  inline source, or null when {@code flow} names the file to run
 * @param flow    a flow in the flows directory, or null when {@code script} is given
 * @param timeout the run's wall-clock deadline, or null for the sandbox's
 * @param retries how many times a failed run is tried again (with the runtime's backoff) before the flow fails
 */
public record Step(String name, String script, String flow, Duration timeout, int retries) {
    public static final int MAX_RETRIES = 100;
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    public Step {
        if (name == null || !FlowRequest.FLOW_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a step name: 1 to 64 letters, digits, '.', '-' or '_'");
        }
        if (script != null && flow != null) {
            throw new IllegalArgumentException("step '" + name + "' runs a script or a flow, not both");
        }
        if (flow != null && !FlowRequest.FLOW_NAME.matcher(flow).matches()) {
            throw new IllegalArgumentException("step '" + name + "': '" + flow + "' is not a flow name");
        }
        if (timeout != null && (!timeout.isPositive() || timeout.compareTo(MAX_TIMEOUT) > 0)) {
            throw new IllegalArgumentException("step '" + name + "': a timeout is more than 0 and at most "
                    + MAX_TIMEOUT.toSeconds() + " s: " + timeout);
        }
        if (retries < 0 || retries > MAX_RETRIES) {
            throw new IllegalArgumentException("step '" + name + "': retries are 0 to " + MAX_RETRIES + ": " + retries);
        }
    }

    /** A step that runs nothing yet, is tried once and has the sandbox's deadline. */
    public static Step named(String name) {
        return new Step(name, null, null, null, 0);
    }

    public Step script(String source) {
        return new Step(name, Objects.requireNonNull(source, "source"), null, timeout, retries);
    }

    /** Runs the flow {@code name} ({@code name.js} in the flows directory, read when the step runs). */
    public Step flow(String name) {
        return new Step(this.name, null, Objects.requireNonNull(name, "name"), timeout, retries);
    }

    public Step timeout(Duration timeout) {
        return new Step(name, script, flow, Objects.requireNonNull(timeout, "timeout"), retries);
    }

    public Step retries(int retries) {
        return new Step(name, script, flow, timeout, retries);
    }
}
