package dev.flowgate.work;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-process queue of work: items due now or at a later instant, taken in due order. It holds
 * only what the journal already has; after a crash the journal rebuilds it.
 *
 * <p>Works like {@link java.util.concurrent.DelayQueue} (one waiting taker times its wait for the
 * head, the others wait untimed, so hundreds of idle workers cost nothing), with two additions:
 * time comes from an injected clock, and {@link #wakeAll} makes everything due at once.
 */
public final class WorkQueue<T> {
    private record Entry<T>(T item, long dueMillis, long sequence) implements Comparable<Entry<T>> {
        @Override
        public int compareTo(Entry<T> that) {
            int byDue = Long.compare(dueMillis, that.dueMillis);
            // Ties in due time keep insertion order: first in, first out.
            return byDue != 0 ? byDue : Long.compare(sequence, that.sequence);
        }
    }

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final PriorityQueue<Entry<T>> heap = new PriorityQueue<>();
    private long sequence;
    private Thread leader;

    public WorkQueue(Clock clock) {
        this.clock = clock;
    }

    public void offer(T item) {
        schedule(item, clock.instant());
    }

    public void schedule(T item, Instant due) {
        lock.lock();
        try {
            Entry<T> entry = new Entry<>(item, due.toEpochMilli(), sequence++);
            heap.offer(entry);
            if (heap.peek() == entry) {
                leader = null;
                available.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the next due item. */
    public T take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (true) {
                Entry<T> first = heap.peek();
                if (first == null) {
                    available.await();
                    continue;
                }
                long delay = first.dueMillis() - clock.millis();
                if (delay <= 0) {
                    return heap.poll().item();
                }
                if (leader != null) {
                    available.await();
                    continue;
                }
                Thread me = Thread.currentThread();
                leader = me;
                try {
                    available.await(delay, TimeUnit.MILLISECONDS);
                } finally {
                    if (leader == me) {
                        leader = null;
                    }
                }
            }
        } finally {
            if (leader == null && heap.peek() != null) {
                available.signal();
            }
            lock.unlock();
        }
    }

    /**
     * Makes every waiting item due now, in its order. For when the reason they wait is gone (a
     * processor recovered): they are taken up at once, not at the times they were scheduled for.
     */
    public void wakeAll() {
        lock.lock();
        try {
            long now = clock.millis();
            List<Entry<T>> entries = new ArrayList<>(heap);
            heap.clear();
            for (Entry<T> e : entries) {
                heap.offer(new Entry<>(e.item(), Math.min(e.dueMillis(), now), e.sequence()));
            }
            leader = null;
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return heap.size();
        } finally {
            lock.unlock();
        }
    }

    public void clear() {
        lock.lock();
        try {
            heap.clear();
        } finally {
            lock.unlock();
        }
    }
}
