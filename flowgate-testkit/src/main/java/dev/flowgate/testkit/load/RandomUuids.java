package dev.flowgate.testkit.load;

import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * Random (version 4) UUIDs from a caller-owned generator. {@link UUID#randomUUID()} draws from one
 * shared {@code SecureRandom}, a lock every connection of a load run would contend on; correlation
 * ids only need to be unique, not unpredictable.
 */
final class RandomUuids {

    private static final long VERSION_MASK = 0xF000L;
    private static final long VERSION_4 = 0x4000L;
    private static final long VARIANT_MASK = 0xC000_0000_0000_0000L;
    private static final long VARIANT_IETF = 0x8000_0000_0000_0000L;

    private RandomUuids() {
    }

    static UUID next(RandomGenerator random) {
        long mostSignificant = (random.nextLong() & ~VERSION_MASK) | VERSION_4;
        long leastSignificant = (random.nextLong() & ~VARIANT_MASK) | VARIANT_IETF;
        return new UUID(mostSignificant, leastSignificant);
    }
}
