package dev.flowgate.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TaskOutcomeTest {
    private static NewTask next(TaskId id) {
        return new NewTask(id, "flow", "{}", "worker-1", "ctx", "api", 0, Instant.EPOCH, 1);
    }

    @Test
    void aDoneKeepsItsNextTasksAsGivenAndImmutable() {
        Random random = new Random(3);
        List<NewTask> given = new ArrayList<>(List.of(next(TaskId.generate(0, random)), next(TaskId.generate(0, random))));
        TaskOutcome.Done done = new TaskOutcome.Done("out", given);
        given.clear();
        assertThat(done.next()).hasSize(2);
        assertThatThrownBy(() -> done.next().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aDoneWithTwoNextTasksOfOneIdIsRefused() {
        TaskId id = TaskId.generate(0, new Random(4));
        assertThatThrownBy(() -> new TaskOutcome.Done("out", List.of(next(id), next(id))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same id");
    }
}
