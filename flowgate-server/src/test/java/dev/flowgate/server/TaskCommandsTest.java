package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.server.cli.SubmitCommand;
import dev.flowgate.server.cli.TasksCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** flowgate submit and flowgate tasks against a real server. */
class TaskCommandsTest {
    @TempDir
    static Path dir;
    static Harness harness;
    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    @BeforeAll
    static void start() throws IOException {
        harness = Harness.start(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private int run(Callable<Integer> command, String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return new CommandLine(command).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    }

    private String server() {
        return harness.uri("").toString();
    }

    @Test
    void submitWithWaitPrintsTheFinishedTaskAndTasksShowsIt() throws IOException {
        Path script = Files.writeString(dir.resolve("double.js"), "print(input.n * 2)");
        assertThat(run(new SubmitCommand(), "--server", server(), "--worker", "cli-w", "--context", "cli-c",
                "--script", script.toString(), "--input", "{\"n\": 21}", "--wait")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"status\":\"completed\"").contains("\"output\":\"42\\n\"");
        Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(out.toString());
        assertThat(id.find()).isTrue();

        assertThat(run(new TasksCommand(), id.group(1), "--server", server())).isZero();
        assertThat(out.toString()).contains("\"workerId\":\"cli-w\"").contains("\"callerId\":\"cli\"");
        assertThat(run(new TasksCommand(), "list", "--worker", "cli-w", "--status", "completed", "--server", server())).isZero();
        assertThat(out.toString()).contains(id.group(1));
    }

    @Test
    void submitWithWaitExitsOneWhenTheTaskFailsForGood() throws IOException {
        Path script = Files.writeString(dir.resolve("throws.js"), "throw new Error('declined')");
        assertThat(run(new SubmitCommand(), "--server", server(), "--worker", "cli-w", "--script", script.toString(),
                "--retries", "0", "--wait")).isEqualTo(1);
        assertThat(out.toString()).contains("\"status\":\"error\"").contains("Error: declined");
        assertThat(out.toString()).contains("\"attempts\":1").contains("\"maxAttempts\":1");
    }

    @Test
    void submitWithoutWaitPrintsTheAcceptedTaskId() {
        assertThat(run(new SubmitCommand(), "--server", server(), "--worker", "cli-w", "--flow", "absent_flow")).isZero();
        assertThat(out.toString()).contains("\"taskId\"").contains("\"status\":\"pending\"");
    }

    @Test
    void hostileArgumentsAreUsageErrors() {
        assertThat(run(new TasksCommand(), "not-an-id", "--server", server())).isEqualTo(2);
        assertThat(err.toString()).contains("UUID");
        assertThat(run(new TasksCommand(), "list", "--server", "ftp://x")).isEqualTo(2);
        assertThat(run(new SubmitCommand(), "--server", server(), "--worker", "w", "--script", "/nonexistent.js")).isEqualTo(2);
        assertThat(run(new SubmitCommand(), "--server", server(), "--worker", "w", "--flow", "f", "--input", "{")).isEqualTo(2);
        assertThat(run(new SubmitCommand(), "--server", server(), "--worker", "w")).isEqualTo(2);
        assertThat(run(new SubmitCommand(), "--server", server(), "--worker", "w", "--flow", "f", "--script", "x.js")).isEqualTo(2);
        assertThat(run(new SubmitCommand(), "--server", server(), "--worker", "w", "--flow", "f", "--retries", "x")).isEqualTo(2);
    }

    @Test
    void aRefusalOrAnUnreachableServerExitsOne() {
        assertThat(run(new SubmitCommand(), "--server", server(), "--worker", "w", "--flow", "../up")).isEqualTo(1);
        assertThat(err.toString()).contains("400");
        assertThat(run(new SubmitCommand(), "--server", server(), "--worker", "w", "--flow", "f", "--retries", "101")).isEqualTo(1);
        assertThat(err.toString()).contains("retries must be a whole number from 0 to 100");
        assertThat(run(new TasksCommand(), "0190a0b0-0000-7000-8000-0000000000ff", "--server", server())).isEqualTo(1);
        assertThat(err.toString()).contains("404");
        assertThat(run(new TasksCommand(), "list", "--server", "http://127.0.0.1:1")).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach");
    }
}
