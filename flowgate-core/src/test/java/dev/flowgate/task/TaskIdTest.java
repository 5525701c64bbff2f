package dev.flowgate.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TaskIdTest {
    private final Random random = new Random(3);

    @Test
    void aNewIdIsAVersion7UuidOfItsMillisecond() {
        TaskId id = TaskId.generate(1_752_580_800_123L, random);
        assertThat(id.value().version()).isEqualTo(7);
        assertThat(id.value().variant()).isEqualTo(2);
        assertThat(id.value().getMostSignificantBits() >>> 16).isEqualTo(1_752_580_800_123L);
    }

    @Test
    void idsSortByTheTimeTheyWereMadeAsTheirTextDoes() {
        TaskId earlier = TaskId.generate(1_000, random);
        TaskId later = TaskId.generate(1_001, random);
        assertThat(earlier).isLessThan(later);
        assertThat(earlier.toString()).isLessThan(later.toString());
    }

    @Test
    void anIdReadsBackFromItsText() {
        TaskId id = TaskId.generate(42, random);
        assertThat(TaskId.parse(id.toString())).isEqualTo(id);
    }

    @Test
    void textThatIsNotACanonicalUuidIsRefused() {
        String[] hostile = {"", "1", "0189f7a0-0000-7000-8000-00000000000", "0189f7a0-0000-7000-8000-0000000000000",
                "0189f7a0+0000-7000-8000-000000000000", "0189f7a0-0000-7000-8000-00000000000g",
                "０189f7a0-0000-7000-8000-000000000000", "1-1-1-1-1"};
        for (String text : hostile) {
            assertThatThrownBy(() -> TaskId.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> TaskId.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
