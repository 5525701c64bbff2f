package dev.flowgate.work;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process queue of work: items due now or at a later instant, taken in due order. It holds
 * only what the journal already has; after a crash the journal rebuilds it.
 */
public final class WorkQueue<T> {
    private final Clock clock;
    private final DelayQueue<Entry<T>> entries = new DelayQueue<>();
    // Ties in due time keep insertion order, so equal-time work is first in, first out.
    private final AtomicLong sequence = new AtomicLong();

    public WorkQueue(Clock clock) {
        this.clock = clock;
    }

    public void offer(T item) {
        schedule(item, clock.instant());
    }

    public void schedule(T item, Instant due) {
        entries.add(new Entry<>(item, due.toEpochMilli(), sequence.getAndIncrement(), clock));
    }

    /** Waits for the next due item. */
    public T take() throws InterruptedException {
        return entries.take().item();
    }

    public int size() {
        return entries.size();
    }

    public void clear() {
        entries.clear();
    }

    private record Entry<T>(T item, long dueMillis, long sequence, Clock clock) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueMillis - clock.millis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Entry<?> that = (Entry<?>) other;
            int byDue = Long.compare(dueMillis, that.dueMillis);
            return byDue != 0 ? byDue : Long.compare(sequence, that.sequence);
        }
    }
}
