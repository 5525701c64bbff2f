package dev.flowgate.work;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed number of virtual threads, each taking the next due item from a {@link WorkQueue} and
 * handing it to a {@link Handler}. An item is never dropped: a handler that throws (an
 * {@code Error} too: a worker that died with its item would strand it until the next start) gets
 * its item back on the queue after {@link #AFTER_ERROR}.
 */
public final class WorkerPool implements AutoCloseable {
    static final Duration AFTER_ERROR = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();

    public <T> WorkerPool(String name, int workers, WorkQueue<T> queue, Handler<T> handler, Clock clock) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1: " + workers);
        }
        for (int i = 0; i < workers; i++) {
            threads.add(Thread.ofVirtual().name(name + "-" + i).start(() -> loop(queue, handler, clock)));
        }
    }

    private <T> void loop(WorkQueue<T> queue, Handler<T> handler, Clock clock) {
        while (!Thread.currentThread().isInterrupted()) {
            T item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            busy.incrementAndGet();
            try {
                switch (handler.handle(item)) {
                    case Disposition.Done<T> done -> { }
                    case Disposition.Retry<T> retry -> queue.schedule(retry.next(), retry.at());
                }
            } catch (RuntimeException | Error e) {
                LOG.error("work item failed, retrying in {} ms: {}", AFTER_ERROR.toMillis(), item, e);
                queue.schedule(item, clock.instant().plus(AFTER_ERROR));
            } finally {
                busy.decrementAndGet();
            }
        }
    }

    /** Workers inside a handler right now. */
    public int busy() {
        return busy.get();
    }

    /** Interrupts the workers and waits for them; work in progress is resumed from the journal on restart. */
    @Override
    public void close() {
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
