package dev.flowgate.testkit.processor;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The processor's concurrency limit on {@code POST /payments} and {@code GET /payments/{id}}: at
 * most {@code maxRunning} requests inside, at most {@code maxQueued} more waiting (oldest first),
 * anyone beyond that refused at once. The contest's processor allows 800 plus a queue of 500.
 *
 * <p>Two counters because a {@link Semaphore} alone can bound the running requests but not its own
 * queue: {@code admitted} (running plus waiting) is raised by compare-and-set only while below
 * capacity, so it never overshoots and never refuses a caller spuriously; the fair semaphore then
 * hands out the running slots in arrival order. Thread-safe.
 */
final class ConcurrencyGate {
    private final Semaphore running;
    private final AtomicInteger admitted = new AtomicInteger();
    private final int capacity;

    ConcurrencyGate(int maxRunning, int maxQueued) {
        if (maxRunning < 1 || maxQueued < 0) {
            throw new IllegalArgumentException("need maxRunning >= 1 and maxQueued >= 0: " + maxRunning + ", " + maxQueued);
        }
        this.running = new Semaphore(maxRunning, true);
        this.capacity = maxRunning + maxQueued;
    }

    /**
     * Returns {@code false} at once when running and queue are full; otherwise waits for a running
     * slot and returns {@code true}, after which the caller must call {@link #exit()} exactly once.
     */
    boolean enter() throws InterruptedException {
        int inside;
        do {
            inside = admitted.get();
            if (inside >= capacity) {
                return false;
            }
        } while (!admitted.compareAndSet(inside, inside + 1));
        try {
            running.acquire();
        } catch (InterruptedException e) {
            admitted.decrementAndGet();
            throw e;
        }
        return true;
    }

    /** Leaves the running slot taken by a successful {@link #enter()}. */
    void exit() {
        // Release before decrementing: for an instant the leaver still counts, so a newcomer may be
        // refused a moment early but the queue can never exceed its limit.
        running.release();
        admitted.decrementAndGet();
    }

    /** Requests running or waiting; for tests that need to know a burst has fully arrived. */
    int inside() {
        return admitted.get();
    }
}
