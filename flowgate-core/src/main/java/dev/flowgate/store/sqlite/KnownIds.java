package dev.flowgate.store.sqlite;

import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntFunction;

/**
 * The correlation ids the database holds, as a Bloom filter: {@code false} from
 * {@link #mightContain} is certain, {@code true} is wrong for about one id in a hundred. It lets
 * intake skip the database read for a new id, which is almost every id: that read was the largest
 * part of intake's tail (measured: 58 of the 86 requests over 2 ms in a 10 s window of the contest).
 *
 * <p>It grows by layers instead of being rebuilt: once the newest layer holds its capacity, a
 * layer twice as large is added, and a lookup asks every layer. Each full layer has about 0.82 %
 * false positives and they add up, so by calculation (not measured) ten million ids, four layers,
 * are wrong for under 3 % of new ids, each costing one read. Lock-free: bits are set with a compare-and-set, and a reader that misses a bit being set
 * concurrently is one whose id was not added yet.
 *
 * <p>The hash is seeded per instance, so ids chosen to collide in one process do not in another.
 */
final class KnownIds {
    /** Ids the first layer takes at about 1 % false positives: 1.2 MiB of bits. */
    static final long FIRST_CAPACITY = 1 << 20;
    private static final int BITS_PER_ID = 10;
    /** Optimal for 10 bits per id (ln 2 * 10 = 6.9): 0.82 % false positives at capacity. */
    private static final int HASHES = 7;

    private final long seed = ThreadLocalRandom.current().nextLong();
    private final long firstCapacity;
    /** Allocates a layer's words: where adding an id can run out of memory, so tests can make it. */
    private final IntFunction<AtomicLongArray> allocate;
    private volatile Layer[] layers;

    KnownIds() {
        this(FIRST_CAPACITY);
    }

    /** With a first layer of {@code firstCapacity} ids; tests use small ones to see layers added. */
    KnownIds(long firstCapacity) {
        this(firstCapacity, AtomicLongArray::new);
    }

    KnownIds(long firstCapacity, IntFunction<AtomicLongArray> allocate) {
        if (firstCapacity < 1) {
            throw new IllegalArgumentException("firstCapacity must be positive: " + firstCapacity);
        }
        this.firstCapacity = firstCapacity;
        this.allocate = allocate;
        this.layers = new Layer[] {new Layer(firstCapacity, allocate)};
    }

    void add(UUID id) {
        long h1 = hash(id.getMostSignificantBits() ^ seed, id.getLeastSignificantBits());
        long h2 = hash(id.getLeastSignificantBits(), id.getMostSignificantBits() ^ ~seed) | 1;
        Layer[] current = layers;
        Layer newest = current[current.length - 1];
        newest.set(h1, h2);
        // At or past capacity, not only at it: after a growth that threw, the next add tries again.
        if (newest.added.incrementAndGet() >= newest.capacity) {
            grow(current);
        }
    }

    boolean mightContain(UUID id) {
        long h1 = hash(id.getMostSignificantBits() ^ seed, id.getLeastSignificantBits());
        long h2 = hash(id.getLeastSignificantBits(), id.getMostSignificantBits() ^ ~seed) | 1;
        for (Layer layer : layers) {
            if (layer.mightContain(h1, h2)) {
                return true;
            }
        }
        return false;
    }

    /** Forgets every id; the caller makes sure no {@link #add} runs at the same time (purge). */
    void clear() {
        layers = new Layer[] {new Layer(firstCapacity, allocate)};
    }

    /** Layers so far; for tests. */
    int layerCount() {
        return layers.length;
    }

    private synchronized void grow(Layer[] full) {
        if (layers != full) {
            return; // cleared meanwhile
        }
        Layer[] grown = Arrays.copyOf(full, full.length + 1);
        grown[full.length] = new Layer(full[full.length - 1].capacity * 2, allocate);
        layers = grown;
    }

    /** Two 64-bit words to one, mixed so that ids differing in a few bits land far apart. */
    private static long hash(long a, long b) {
        long h = a * 0x9E3779B97F4A7C15L + b;
        h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    private static final class Layer {
        final long capacity;
        final long bitCount;
        final AtomicLongArray words;
        final AtomicLong added = new AtomicLong();

        Layer(long capacity, IntFunction<AtomicLongArray> allocate) {
            this.capacity = capacity;
            long wordCount = Math.ceilDiv(capacity * BITS_PER_ID, Long.SIZE);
            this.words = allocate.apply(Math.toIntExact(wordCount));
            this.bitCount = wordCount * Long.SIZE;
        }

        void set(long h1, long h2) {
            for (int i = 0; i < HASHES; i++) {
                long bit = Long.remainderUnsigned(h1 + i * h2, bitCount);
                int word = (int) (bit >>> 6);
                long mask = 1L << bit;
                long old = words.get(word);
                while ((old & mask) == 0 && !words.weakCompareAndSetVolatile(word, old, old | mask)) {
                    old = words.get(word);
                }
            }
        }

        boolean mightContain(long h1, long h2) {
            for (int i = 0; i < HASHES; i++) {
                long bit = Long.remainderUnsigned(h1 + i * h2, bitCount);
                if ((words.get((int) (bit >>> 6)) & (1L << bit)) == 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
