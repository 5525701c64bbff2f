package dev.flowgate.testkit.load;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Drives {@code POST /payments} of a server on this machine and measures its latency.
 *
 * <p>Each of {@link LoadOptions#connections()} keep-alive HTTP/1.1 connections is owned by a virtual
 * thread with a plain blocking socket. In a closed loop a connection sends its next request as soon
 * as the previous answer arrived; at a fixed rate the requests are spread over time across the
 * connections, and latency is counted from when each request was meant to be sent. Every body is
 * {@code {"correlationId":"<fresh random UUID>","amount":<amount>}}. A run always ends: after its
 * duration or its request limit, whichever comes first, plus at most one timeout for the requests
 * still in flight.
 *
 * <p>Only loopback targets are accepted; the check happens before anything is sent.
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    /** Like {@link #run(LoadOptions, Consumer)} without progress reports. */
    public static LoadReport run(LoadOptions options) throws InterruptedException {
        return run(options, progress -> {
        });
    }

    /**
     * Runs a load test and waits for its end.
     *
     * @param onProgress called about once a second, from the calling thread, while the run lasts
     * @throws IllegalArgumentException if the target host is not a loopback address (or does not
     *     resolve); nothing has been sent then
     * @throws InterruptedException if the calling thread is interrupted; the connections are then
     *     closed and the run abandoned
     */
    public static LoadReport run(LoadOptions options, Consumer<? super LoadProgress> onProgress)
            throws InterruptedException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onProgress, "onProgress");
        LoopbackTarget target = LoopbackTarget.resolve(options.target());
        return new LoadRun(options, target, Ticker.SYSTEM, onProgress).execute();
    }
}
