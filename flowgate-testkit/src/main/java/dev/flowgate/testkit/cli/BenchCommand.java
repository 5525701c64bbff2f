package dev.flowgate.testkit.cli;

import dev.flowgate.testkit.contest.ContestCommand;
import dev.flowgate.testkit.load.LoadGenerator;
import dev.flowgate.testkit.load.LoadOptions;
import dev.flowgate.testkit.load.LoadProgress;
import dev.flowgate.testkit.load.LoadReport;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bench}: load tools for a Flowgate server running on this machine. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Load tools for a Flowgate server running on this machine.",
        subcommands = {BenchCommand.Load.class, ContestCommand.class})
public final class BenchCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: load or contest");
    }

    /** {@code bench load}: drives POST /payments and prints throughput and latency percentiles. */
    @Command(
            name = "load",
            mixinStandardHelpOptions = true,
            description = {
                "Sends POST /payments with a fresh correlationId each over keep-alive connections,",
                "then prints throughput, answers by status, timeouts, errors and latency percentiles.",
                "Only loopback targets are allowed. Progress goes to stderr, the report to stdout."
            })
    public static final class Load implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Option(names = "--url", defaultValue = "http://127.0.0.1:9999",
                description = "Base URL of the server, loopback only (default: ${DEFAULT-VALUE}).")
        private URI url;

        @Option(names = "--connections", defaultValue = "64",
                description = "Keep-alive connections, 1..10000 (default: ${DEFAULT-VALUE}).")
        private int connections;

        @Option(names = "--duration", defaultValue = "10", paramLabel = "SECONDS",
                description = "Stop sending after this many seconds (default: ${DEFAULT-VALUE}).")
        private long durationSeconds;

        @Option(names = "--requests", defaultValue = "1000000",
                description = "Stop after this many requests in total (default: ${DEFAULT-VALUE}).")
        private long requests;

        @Option(names = "--rate", defaultValue = "0", paramLabel = "PER_SECOND",
                description = "Requests per second in total; 0 = closed loop (default: ${DEFAULT-VALUE}).")
        private int rate;

        @Option(names = "--amount", defaultValue = "19.90",
                description = "Amount of every payment (default: ${DEFAULT-VALUE}).")
        private BigDecimal amount;

        @Option(names = "--timeout-ms", defaultValue = "2000", paramLabel = "MILLIS",
                description = "Per-request timeout in milliseconds (default: ${DEFAULT-VALUE}).")
        private long timeoutMillis;

        @Option(names = "--warmup", defaultValue = "2", paramLabel = "SECONDS",
                description = "Requests in the first seconds are sent but not recorded (default: ${DEFAULT-VALUE}).")
        private long warmupSeconds;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter err = spec.commandLine().getErr();
            PrintWriter out = spec.commandLine().getOut();
            LoadReport report;
            // Both the option checks and the loopback check happen before anything is sent, and are
            // the user's mistake: reported like any bad option, with usage and exit code 2.
            try {
                LoadOptions options = new LoadOptions(url, connections, Duration.ofSeconds(durationSeconds),
                        requests, rate, amount, Duration.ofMillis(timeoutMillis), Duration.ofSeconds(warmupSeconds));
                report = LoadGenerator.run(options, progress -> printProgress(err, progress));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            out.print(report.format());
            out.flush();
            return 0;
        }

        private static void printProgress(PrintWriter err, LoadProgress progress) {
            err.printf(Locale.ROOT, "%6.1f s  %,12d requests  %,10.0f req/s%s%n",
                    progress.elapsed().toMillis() / 1000.0, progress.requests(), progress.ratePerSecond(),
                    progress.warmingUp() ? "  (warmup)" : "");
            err.flush();
        }
    }
}
