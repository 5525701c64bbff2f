package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.server.cli.RunCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new RunCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    }

    @Test
    void aScriptRunsWithItsInputAndContextAndPrintsItsOutput() throws Exception {
        Path script = Files.writeString(dir.resolve("hello.js"), """
                print('hello', input.name, CONTEXT_ID);
                set_context('greeted', true);
                dispatch('next_step', {n: 1});
                """);
        assertThat(run(script.toString(), "--input", "{\"name\":\"ada\"}", "--context", "ctx-1")).isZero();
        assertThat(out.toString()).isEqualTo("hello ada ctx-1\n");
        assertThat(err.toString()).contains("set_context greeted = true", "dispatch next_step {\"n\":1}");
    }

    @Test
    void aCompletionsFlowGetsItsDataAsAGlobal() throws Exception {
        Path script = Files.writeString(dir.resolve("response.js"), "print(parsed_data.id, parsed_data.status)");
        assertThat(run(script.toString(), "--global", "parsed_data={\"id\":\"pi_1\",\"status\":\"succeeded\"}")).isZero();
        assertThat(out.toString()).isEqualTo("pi_1 succeeded\n");
    }

    @Test
    void aScriptIsFoundInTheFlowsDirectory() throws Exception {
        Files.writeString(dir.resolve("payment_processed.js"), "print('paid')");
        assertThat(run("payment_processed.js", "--flows-dir", dir.toString())).isZero();
        assertThat(out.toString()).isEqualTo("paid\n");
    }

    @Test
    void aFailingScriptExitsOneWithItsErrorAndLine() throws Exception {
        Path script = Files.writeString(dir.resolve("bad.js"), "print('a');\nthrow new TypeError('no customer');");
        assertThat(run(script.toString())).isEqualTo(1);
        assertThat(out.toString()).isEqualTo("a\n");
        assertThat(err.toString()).contains("TypeError: no customer (bad.js, line 2)");
    }

    @Test
    void hostileArgumentsAreClearErrorsNotCrashes() throws Exception {
        Path script = Files.writeString(dir.resolve("ok.js"), "print(1)");
        assertThat(run(script.toString(), "--input", "{not json")).isEqualTo(2);
        assertThat(err.toString()).contains("--input is not JSON");
        assertThat(run(script.toString(), "--input", "1 2")).isEqualTo(2);
        assertThat(run(script.toString(), "--context", "has space")).isEqualTo(2);
        assertThat(run(script.toString(), "--global", "print=1")).isEqualTo(2);
        assertThat(run(script.toString(), "--global", "no-equals")).isEqualTo(2);
        assertThat(run(script.toString(), "--global", "bad name={}")).isEqualTo(2);
        assertThat(run(script.toString(), "--global", "x={oops")).isEqualTo(2);
        assertThat(err.toString()).contains("--global x is not JSON");
        assertThat(run(dir.resolve("absent.js").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("cannot read the script");
        assertThat(run()).isEqualTo(2);
    }
}
