package dev.flowgate.testkit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class ConcurrencyGateTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @Test
    void admitsUpToTheLimitAtOnce() throws InterruptedException {
        ConcurrencyGate gate = new ConcurrencyGate(2, 0);

        assertThat(gate.enter()).isTrue();
        assertThat(gate.enter()).isTrue();
        assertThat(gate.enter()).isFalse();
    }

    @Test
    void refusesOnceRunningAndQueueAreFull() throws InterruptedException {
        ConcurrencyGate gate = new ConcurrencyGate(1, 1);
        gate.enter();
        Thread waiter = Thread.ofPlatform().start(() -> enterAndExit(gate, new CopyOnWriteArrayList<>(), "waiter"));
        awaitParked(waiter);

        assertThat(gate.enter()).isFalse();
        assertThat(gate.inside()).isEqualTo(2);

        gate.exit();
        waiter.join(PATIENCE);
    }

    @Test
    void queuedCallersAreAdmittedOldestFirst() throws InterruptedException {
        ConcurrencyGate gate = new ConcurrencyGate(1, 3);
        List<String> order = new CopyOnWriteArrayList<>();
        gate.enter();
        List<Thread> waiters = List.of("first", "second", "third").stream()
                .map(name -> {
                    Thread waiter = Thread.ofPlatform().start(() -> enterAndExit(gate, order, name));
                    awaitParked(waiter);
                    return waiter;
                })
                .toList();

        gate.exit();
        for (Thread waiter : waiters) {
            waiter.join(PATIENCE);
        }

        assertThat(order).containsExactly("first", "second", "third");
        assertThat(gate.inside()).isZero();
    }

    @Test
    void anExitFreesAPlace() throws InterruptedException {
        ConcurrencyGate gate = new ConcurrencyGate(1, 0);
        gate.enter();
        gate.exit();

        assertThat(gate.enter()).isTrue();
    }

    @Test
    void anInterruptedWaiterLeavesTheQueue() throws InterruptedException {
        ConcurrencyGate gate = new ConcurrencyGate(1, 1);
        gate.enter();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                gate.enter();
            } catch (InterruptedException e) {
                outcome.set(e);
            }
        });
        awaitParked(waiter);

        waiter.interrupt();
        waiter.join(PATIENCE);

        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(gate.inside()).isEqualTo(1);
    }

    private static void enterAndExit(ConcurrencyGate gate, List<String> order, String name) {
        try {
            if (gate.enter()) {
                order.add(name);
                gate.exit();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the thread blocks in the gate's semaphore, so arrival order is settled. */
    private static void awaitParked(Thread thread) {
        await(() -> thread.getState() == Thread.State.WAITING);
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + PATIENCE);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
