package dev.flowgate.work;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkQueueTest {
    private final WorkQueue<String> queue = new WorkQueue<>(Clock.systemUTC());

    @Test
    void itemsComeOutInDueOrderThenInsertionOrder() throws InterruptedException {
        Instant now = Instant.now();
        queue.schedule("late", now.plusMillis(50));
        queue.schedule("first", now.minusMillis(10));
        queue.schedule("second", now.minusMillis(10));
        queue.offer("third");
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            taken.add(queue.take());
        }
        assertThat(taken).containsExactly("first", "second", "third", "late");
    }

    @Test
    void anItemIsNotTakenBeforeItIsDue() throws InterruptedException {
        Instant due = Instant.now().plusMillis(100);
        queue.schedule("later", due);
        assertThat(queue.take()).isEqualTo("later");
        assertThat(Instant.now()).isAfterOrEqualTo(due.minusMillis(1));
    }

    @Test
    void wakeAllMakesWaitingItemsDueNowKeepingTheirOrder() throws Exception {
        Instant far = Instant.now().plus(Duration.ofHours(1));
        queue.schedule("a", far);
        queue.schedule("b", far.plusSeconds(1));
        List<String> taken = new ArrayList<>();
        Thread taker = Thread.ofVirtual().start(() -> {
            try {
                taken.add(queue.take());
                taken.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(50); // let the taker wait on the far-off head
        queue.wakeAll();
        taker.join(Duration.ofSeconds(10));
        assertThat(taken).containsExactly("a", "b");
    }

    @Test
    void clearForgetsEverything() {
        queue.offer("x");
        queue.clear();
        assertThat(queue.size()).isZero();
    }
}
