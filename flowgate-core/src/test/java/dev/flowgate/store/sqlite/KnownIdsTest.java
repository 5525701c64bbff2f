package dev.flowgate.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KnownIdsTest {

    @Test
    void everyAddedIdIsFound() {
        KnownIds ids = new KnownIds(1_000);
        List<UUID> added = randomIds(1_000);
        added.forEach(ids::add);
        assertThat(added).allMatch(ids::mightContain);
    }

    @Test
    void idsNeverAddedAreMostlyReportedAbsent() {
        KnownIds ids = new KnownIds(10_000);
        randomIds(10_000).forEach(ids::add);
        long falsePositives = randomIds(100_000).stream().filter(ids::mightContain).count();
        // 0.82 % expected at capacity; 2 % leaves room for chance without hiding a broken filter.
        assertThat(falsePositives).isLessThan(2_000);
    }

    @Test
    void idsThatDifferInAFewLowBitsAreToldApart() {
        KnownIds ids = new KnownIds(10_000);
        IntStream.range(0, 10_000).forEach(i -> ids.add(new UUID(0, i)));
        assertThat(IntStream.range(0, 10_000)).allMatch(i -> ids.mightContain(new UUID(0, i)));
        long falsePositives = IntStream.range(10_000, 110_000).filter(i -> ids.mightContain(new UUID(0, i))).count();
        assertThat(falsePositives).isLessThan(2_000);
    }

    @Test
    void aLayerIsAddedOnceTheNewestIsFullAndEarlierIdsAreStillFound() {
        KnownIds ids = new KnownIds(100);
        List<UUID> added = randomIds(650);
        added.forEach(ids::add);
        assertThat(ids.layerCount()).isEqualTo(3); // 100 + 200 + 400
        assertThat(added).allMatch(ids::mightContain);
        long falsePositives = randomIds(10_000).stream().filter(ids::mightContain).count();
        assertThat(falsePositives).isLessThan(600);
    }

    @Test
    void clearForgetsEveryId() {
        KnownIds ids = new KnownIds(100);
        List<UUID> added = randomIds(500);
        added.forEach(ids::add);
        ids.clear();
        assertThat(ids.layerCount()).isOne();
        assertThat(added.stream().filter(ids::mightContain).count()).isLessThan(10);
    }

    @Test
    void idsAddedConcurrentlyAreAllFound() {
        KnownIds ids = new KnownIds(1_000);
        List<UUID> added = randomIds(20_000);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                int first = t;
                pool.submit(() -> {
                    for (int i = first; i < added.size(); i += 8) {
                        ids.add(added.get(i));
                    }
                });
            }
        }
        assertThat(added).allMatch(ids::mightContain);
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThatThrownBy(() -> new KnownIds(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<UUID> randomIds(int count) {
        List<UUID> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }
}
