package dev.flowgate.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NewTaskTest {
    private static final TaskId ID = TaskId.generate(0, new Random(1));

    private static NewTask task(String kind, String workerId, String contextId, String callerId, int maxAttempts) {
        return new NewTask(ID, kind, "{}", workerId, contextId, callerId, 0, Instant.EPOCH, maxAttempts);
    }

    @Test
    void aTaskWithoutAContextIsAccepted() {
        assertThat(task("flow", "worker-1", null, "api", 1).contextId()).isNull();
    }

    @Test
    void hostileKindsAreRefused() {
        for (String kind : new String[] {"", "flow run", "flow\n", "../etc", "x".repeat(65), "flów"}) {
            assertThatThrownBy(() -> task(kind, "w", "c", "api", 1)).as(kind).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("kind");
        }
    }

    @Test
    void hostileIdsAreRefusedNamingTheField() {
        String[] hostile = {"", " ", "a b", "tab\t", "nul\0", "x".repeat(NewTask.MAX_ID_LENGTH + 1), "ｗorker"};
        for (String value : hostile) {
            assertThatThrownBy(() -> task("flow", value, "c", "api", 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("workerId");
            assertThatThrownBy(() -> task("flow", "w", value, "api", 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("contextId");
            assertThatThrownBy(() -> task("flow", "w", "c", value, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("callerId");
        }
    }

    @Test
    void aWorkerAndACallerAreRequired() {
        assertThatThrownBy(() -> task("flow", null, "c", "api", 1)).hasMessageContaining("workerId is required");
        assertThatThrownBy(() -> task("flow", "w", "c", null, 1)).hasMessageContaining("callerId is required");
    }

    @Test
    void atLeastOneAttemptIsRequired() {
        assertThatThrownBy(() -> task("flow", "w", "c", "api", 0)).hasMessageContaining("maxAttempts");
    }
}
