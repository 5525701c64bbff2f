package dev.flowgate.testkit.contest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContestJsonTest {

    private final ContestJson json = new ContestJson();

    @Test
    void readsTheProcessorsAdminSummary() throws IOException {
        Summary summary = json.processorSummary(bytes(
                "{\"totalAmount\":401.00,\"totalRequests\":20,\"totalFee\":28.07,\"feePerTransaction\":0.07}"));

        assertThat(summary.totalRequests()).isEqualTo(20);
        assertThat(summary.totalAmount()).isEqualByComparingTo("401.00");
        assertThat(summary.totalFee()).isEqualByComparingTo("28.07");
        assertThat(summary.feePerTransaction()).isEqualByComparingTo("0.07");
    }

    @Test
    void readsTheBackendsSummaryWhateverElseItSays() throws IOException {
        BackendSummary summary = json.backendSummary(bytes("{\"note\":{\"x\":[1,2]},"
                + "\"default\":{\"totalRequests\":3,\"totalAmount\":59.7,\"extra\":true},"
                + "\"fallback\":{\"totalAmount\":0,\"totalRequests\":0.0}}"));

        assertThat(summary.defaultProcessor().count()).isEqualTo(3);
        assertThat(summary.defaultProcessor().amount()).isEqualByComparingTo("59.70");
        assertThat(summary.fallbackProcessor().count()).isZero();
    }

    @Test
    void aMissingProcessorCountsAsNothingPaidThere() throws IOException {
        BackendSummary summary = json.backendSummary(bytes("{\"default\":{\"totalRequests\":3,\"totalAmount\":59.7}}"));

        assertThat(summary.fallbackProcessor()).isEqualTo(BackendSummary.Totals.ZERO);
    }

    @Test
    void somethingElseIsAnError() {
        assertThatThrownBy(() -> json.backendSummary(bytes("[]"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> json.backendSummary(bytes("{\"default\":{\"totalRequests\":\"3\"}}")))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> json.backendSummary(bytes("{\"default\":{\"totalRequests\":2.5}}")))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> json.processorSummary(bytes("{\"totalRequests\":"))).isInstanceOf(IOException.class);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
