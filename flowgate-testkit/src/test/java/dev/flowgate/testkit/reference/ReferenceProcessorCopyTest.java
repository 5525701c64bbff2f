package dev.flowgate.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The testkit's copy of the reference processor is the team's, unchanged. */
class ReferenceProcessorCopyTest {
    /** Where the team keeps the original, beside the repository's checkout. */
    private static final Path ORIGINAL = Path.of("..", "..", "shared", "reference", "processor", "Processor.java");

    @Test
    void theCopyMatchesTheOriginalWhereItIsPresent() throws Exception {
        assumeTrue(Files.exists(ORIGINAL), "no original at " + ORIGINAL.toAbsolutePath() + " to compare with");
        try (InputStream copy = ReferenceProcessor.class.getResourceAsStream("Processor.java")) {
            assertThat(copy).isNotNull();
            assertThat(copy.readAllBytes()).isEqualTo(Files.readAllBytes(ORIGINAL));
        }
    }
}
