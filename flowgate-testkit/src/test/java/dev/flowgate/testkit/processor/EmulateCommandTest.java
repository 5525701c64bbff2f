package dev.flowgate.testkit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.testkit.cli.EmulateCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code emulate processor} from the command line (kept beside the emulator's tests it drives). */
class EmulateCommandTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final Pattern LISTENING =
            Pattern.compile("processor emulator listening on (http://127\\.0\\.0\\.1:\\d+) \\(fee 0\\.07\\)");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--delay=-1     | --delay must be between 0 and",
            "--port=70000   | --port must be between 0 and 65535",
            "--port=-1      | --port must be between 0 and 65535",
            "--fee=1        | --fee must be at least 0 and below 1",
            "--fee=-0.05    | --fee must be at least 0 and below 1",
            "--fee=abc      | Invalid value for option '--fee'"})
    void outOfRangeOptionsAreParameterErrorsWithoutAStackTrace(String option, String message) {
        int exitCode = command().execute("processor", option);

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains(message).doesNotContain("\tat ");
    }

    @Test
    void emulateWithoutAServiceIsAParameterError() {
        assertThat(command().execute()).isEqualTo(2);
    }

    @Test
    void processorPrintsWhereItListensAndServesUntilInterrupted() throws Exception {
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread running = Thread.ofPlatform().start(() -> exitCode.set(
                command().execute("processor", "--port=0", "--fee=0.07", "--delay=100", "--failing")));
        Matcher listening = awaitListening();

        HttpResponse<String> health;
        try (HttpClient http = HttpClient.newHttpClient()) {
            health = http.send(HttpRequest.newBuilder(URI.create(listening.group(1) + "/payments/service-health"))
                    .timeout(PATIENCE).build(), HttpResponse.BodyHandlers.ofString());
        }
        running.interrupt();
        running.join(PATIENCE);

        assertThat(health.body()).isEqualTo("{\"failing\":true,\"minResponseTime\":100}");
        assertThat(exitCode.get()).isZero();
    }

    private CommandLine command() {
        return new CommandLine(new EmulateCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    }

    private Matcher awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher matcher = LISTENING.matcher(out.toString());
            if (matcher.find()) {
                return matcher;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no listening line; out: " + out + " err: " + err);
    }
}
