package dev.flowgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Hostile command lines end with a clear message and exit code 2, never a stack trace. */
class CommandLineTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()));
        return new Run(cli.execute(args), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--port=abc", "--port=99999", "--workers=-1", "--durability=sometimes",
            "--processor=nonsense", "--warmup-ms=-5", "--no-such-flag"})
    void badServeOptionsAreRefusedWithExitCode2(String option) {
        Run run = run("serve", option, "--data-dir", dir.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void anUnknownSettingInTheConfigurationFileIsNamed() throws Exception {
        Path config = dir.resolve("flowgate.properties");
        Files.writeString(config, "port = 9999\ncolour = blue\n");
        Run run = run("serve", "--config", config.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown setting 'colour'");
    }

    @Test
    void aMissingConfigurationFileIsNamed() {
        Run run = run("serve", "--config", dir.resolve("absent.properties").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("cannot read");
    }

    @Test
    void aDamagedIntakeLogStopsTheStartWithItsNameRatherThanLosePayments() throws Exception {
        Files.write(dir.resolve("intake.log"), "not an intake log".getBytes());
        Run run = run("serve", "--data-dir", dir.toString(), "--port", "0", "--warmup-ms", "0");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("intake.log").contains("expected").doesNotContain("\tat ");
    }

    @Test
    void anUnknownCommandIsRefused() {
        assertThat(run("frobnicate").exitCode()).isEqualTo(2);
    }
}
