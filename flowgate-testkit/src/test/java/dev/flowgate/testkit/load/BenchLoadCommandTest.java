package dev.flowgate.testkit.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.testkit.cli.BenchCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code bench load}, from the command line; lives here because its tests belong to the load tools. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BenchLoadCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int bench(String... args) {
        return new CommandLine(new BenchCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void printsTheReport() throws Exception {
        try (var server = PaymentsServer.accepting()) {
            int exit = bench("load", "--url", server.uri().toString(), "--connections", "2",
                    "--requests", "20", "--warmup", "0", "--amount", "5.00");

            assertThat(exit).as(err.toString()).isZero();
            assertThat(out.toString())
                    .contains("requests    20 in")
                    .contains("status      202: 20")
                    .contains("timeouts    0")
                    .contains("io errors   0")
                    .containsPattern("latency ms  p50 [0-9.]+  p90 [0-9.]+  p99 [0-9.]+  p99\\.9 [0-9.]+  max [0-9.]+");
            assertThat(server.bodies()).hasSize(20).allMatch(body -> body.endsWith("\"amount\":5.00}"));
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(bench("load", "--connections", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("connections must be between 1 and 10000, got 0").doesNotContain("\tat ");
    }

    @Test
    void aDurationNotLongerThanTheWarmupIsAUsageError() {
        assertThat(bench("load", "--duration", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("warmup (2.000 s) must be shorter than the duration (1.000 s)");
    }

    @Test
    void nonLoopbackTargetsAreUsageErrors() {
        assertThat(bench("load", "--url", "http://10.1.2.3:9999")).isEqualTo(2);
        assertThat(err.toString())
                .contains("load tests only target loopback addresses: 10.1.2.3")
                .doesNotContain("\tat ");
    }

    @Test
    void malformedValuesAreUsageErrors() {
        assertThat(bench("load", "--amount", "lots")).isEqualTo(2);
        assertThat(err.toString()).contains("--amount").doesNotContain("\tat ");
    }

    @Test
    void benchWithoutSubcommandIsAUsageError() {
        assertThat(bench()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing subcommand: load");
    }
}
