package dev.flowgate.testkit.contest;

import dev.flowgate.testkit.load.Ticker;
import dev.flowgate.testkit.processor.ProcessorEmulator;
import dev.flowgate.testkit.reference.ReferenceProcessor;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench contest}: the contest's load test against a backend on this machine, scored the way
 * the contest scores it. Starts two processor emulators unless told where the processors are.
 */
@Command(
        name = "contest",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the \"Rinha de Backend 2025\" load test against a backend on this machine: virtual users "
                    + "ramping up, processors turning slow and failing on a schedule, consistency checks of "
                    + "GET /payments-summary, and the contest's score at the end.",
            "Starts two processors (default on port 8001, fallback on 8002): the testkit's emulators, or with "
                    + "--processors reference the reference processor (a child Java process each), unless "
                    + "--default-url and --fallback-url name running ones. Only loopback URLs are allowed.",
            "Progress and warnings go to stderr, the result (one JSON object) to stdout."
        })
public final class ContestCommand implements Callable<Integer> {

    private static final String TOKEN_DEFAULT = "123";
    private static final int DEFAULT_PORT = 8001;
    private static final int FALLBACK_PORT = 8002;

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private Mode mode;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:9999",
            description = "Base URL of the backend, loopback only (default: ${DEFAULT-VALUE}).")
    private URI url;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "Stretch or compress the whole timeline (ramp, condition changes, checks) to this many "
                    + "seconds, 1..3600 (default: 300 for --final, 60 for --preview).")
    private Integer durationSeconds;

    @Option(names = "--vus", paramLabel = "N",
            description = "Virtual users at the end of the ramp, 1..5000 (default: 603 for --final, 550 for --preview).")
    private Integer vus;

    @Option(names = "--default-url", paramLabel = "URL",
            description = "A running default processor, driven through its admin API; needs --fallback-url too.")
    private URI defaultUrl;

    @Option(names = "--fallback-url", paramLabel = "URL",
            description = "A running fallback processor, driven through its admin API; needs --default-url too.")
    private URI fallbackUrl;

    @Option(names = "--token", defaultValue = TOKEN_DEFAULT,
            description = "X-Rinha-Token of the processors' admin API (default: ${DEFAULT-VALUE}).")
    private String token;

    @Option(names = "--processors", paramLabel = "emulator|reference", defaultValue = "emulator",
            description = "Which processors to start: the testkit's emulators (in this process) or the reference "
                    + "processor, someone else's reimplementation of the contest's (default: ${DEFAULT-VALUE}).")
    private String processors;

    @Option(names = "--default-port", paramLabel = "PORT",
            description = "Port of the default processor emulator this command starts (default: " + DEFAULT_PORT + ").")
    private Integer defaultPort;

    @Option(names = "--fallback-port", paramLabel = "PORT",
            description = "Port of the fallback processor emulator this command starts (default: " + FALLBACK_PORT + ").")
    private Integer fallbackPort;

    /** The contest run to reproduce; the final one unless --preview. */
    static final class Mode {
        @Option(names = "--final", required = true,
                description = "The final run: 1 to 603 users over 300 s, 20.05 each, fees 7 %% and 10 %% (the default).")
        boolean finalRun;

        @Option(names = "--preview", required = true,
                description = "The preview run: 1 to 550 users over 60 s, 19.90 each, fees 5 %% and 15 %%.")
        boolean preview;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        Scenario scenario = scenario();
        Ticker ticker = Ticker.SYSTEM;
        Backend backend = new Backend(loopback("--url", url, ticker));
        boolean external = external();
        List<ProcessorEmulator> started = new ArrayList<>(2);
        List<ReferenceProcessor> references = new ArrayList<>(2);
        try {
            ProcessorControl defaultProcessor;
            ProcessorControl fallbackProcessor;
            if (external) {
                defaultProcessor = new AdminApiProcessor("default", loopback("--default-url", defaultUrl, ticker), token);
                fallbackProcessor = new AdminApiProcessor("fallback", loopback("--fallback-url", fallbackUrl, ticker), token);
            } else if (processors.equals("reference")) {
                err.println("contest: starting the reference processors (they compile and warm up first)...");
                err.flush();
                defaultProcessor = reference("default", port("--default-port", defaultPort, DEFAULT_PORT),
                        scenario.defaultFee(), references, ticker);
                fallbackProcessor = reference("fallback", port("--fallback-port", fallbackPort, FALLBACK_PORT),
                        scenario.fallbackFee(), references, ticker);
            } else {
                defaultProcessor = emulate("default", port("--default-port", defaultPort, DEFAULT_PORT),
                        scenario.defaultFee(), started, ticker);
                fallbackProcessor = emulate("fallback", port("--fallback-port", fallbackPort, FALLBACK_PORT),
                        scenario.fallbackFee(), started, ticker);
            }
            err.printf(Locale.ROOT, "contest %s: 1 to %d users over %d s, backend %s, processors %s and %s%n",
                    scenario.name(), scenario.peakVus(), scenario.length().toSeconds(), url,
                    external ? defaultUrl : describe(started, references, 0),
                    external ? fallbackUrl : describe(started, references, 1));
            err.flush();
            ContestRun run = new ContestRun(scenario, backend, defaultProcessor, fallbackProcessor, Clock.systemUTC(),
                    ticker, progress -> printProgress(err, progress), warning -> printWarning(err, warning));
            ContestResult result = run.execute();
            out.print(new ContestJson().write(result));
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("contest: " + e.getMessage());
            err.flush();
            return 1;
        } finally {
            started.forEach(ProcessorEmulator::close);
            references.forEach(ReferenceProcessor::close);
        }
    }

    private static String describe(List<ProcessorEmulator> emulators, List<ReferenceProcessor> references, int i) {
        return emulators.isEmpty() ? references.get(i).baseUri() + " (reference)" : emulators.get(i).baseUri() + " (emulated)";
    }

    private AdminApiProcessor reference(String name, int port, BigDecimal fee, List<ReferenceProcessor> started,
            Ticker ticker) throws IOException {
        ReferenceProcessor processor;
        try {
            processor = ReferenceProcessor.start(ReferenceProcessor.Options.defaults()
                    .withPort(port).withFee(fee).withToken(token).withWarmupRequests(20_000));
        } catch (IOException e) {
            throw new IOException("cannot start the " + name + " reference processor on 127.0.0.1:" + port
                    + " (in use? see --" + name + "-port or --" + name + "-url): " + e.getMessage(), e);
        }
        started.add(processor);
        return new AdminApiProcessor(name, new LoopbackHttp(processor.baseUri(), ticker), token);
    }

    /** The run asked for, after every option check; a {@link ParameterException} (exit code 2) otherwise. */
    private Scenario scenario() {
        Scenario base = mode != null && mode.preview ? Scenario.preview() : Scenario.finalRun();
        int seconds = durationSeconds == null ? (int) base.length().toSeconds() : durationSeconds;
        int peak = vus == null ? base.peakVus() : vus;
        if (seconds < 1 || seconds > Scenario.MAX_LENGTH.toSeconds()) {
            throw usage("--duration must be between 1 and " + Scenario.MAX_LENGTH.toSeconds() + " seconds, got " + seconds);
        }
        if (peak < 1 || peak > Scenario.MAX_VUS) {
            throw usage("--vus must be between 1 and " + Scenario.MAX_VUS + ", got " + peak);
        }
        if (token.isBlank()) {
            throw usage("--token must not be blank");
        }
        if (!processors.equals("emulator") && !processors.equals("reference")) {
            throw usage("--processors must be emulator or reference, got " + processors);
        }
        if ((defaultUrl == null) != (fallbackUrl == null)) {
            throw usage("--default-url and --fallback-url go together: give both, or neither to start emulators");
        }
        if (external() && (defaultPort != null || fallbackPort != null)) {
            throw usage("--default-port and --fallback-port are for the emulators this command starts, "
                    + "not for --default-url and --fallback-url");
        }
        return base.scaled(Duration.ofSeconds(seconds), peak);
    }

    private boolean external() {
        return defaultUrl != null;
    }

    private LoopbackHttp loopback(String option, URI uri, Ticker ticker) {
        try {
            return new LoopbackHttp(uri, ticker);
        } catch (IllegalArgumentException e) {
            throw usage(option + ": " + e.getMessage());
        }
    }

    private int port(String option, Integer value, int fallback) {
        int port = value == null ? fallback : value;
        if (port < 0 || port > 65_535) {
            throw usage(option + " must be between 0 and 65535, got " + port);
        }
        return port;
    }

    private EmulatedProcessor emulate(String name, int port, BigDecimal fee, List<ProcessorEmulator> started,
            Ticker ticker) throws IOException {
        ProcessorEmulator emulator;
        try {
            emulator = ProcessorEmulator.start(ProcessorEmulator.Options.defaults()
                    .withPort(port).withFee(fee).withToken(token));
        } catch (IOException e) {
            throw new IOException("cannot start the " + name + " processor emulator on 127.0.0.1:" + port
                    + " (in use? see --" + name + "-port or --" + name + "-url): " + e.getMessage(), e);
        }
        started.add(emulator);
        return new EmulatedProcessor(name, emulator, new LoopbackHttp(emulator.baseUri(), ticker), token);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static void printProgress(PrintWriter err, ContestProgress progress) {
        String p99 = progress.p99Millis().isPresent()
                ? String.format(Locale.ROOT, "%8.2f ms", progress.p99Millis().getAsDouble()) : "       - ms";
        err.printf(Locale.ROOT, "%7.1f s  vus %5d  requests %,9d  2xx %,9d (%,6.0f/s)  p99 %s  inconsistencies %d%n",
                progress.elapsed().toMillis() / 1000.0, progress.activeVus(), progress.requests(),
                progress.acknowledged(), progress.acknowledgedPerSecond(), p99, progress.inconsistencies());
        err.flush();
    }

    private static void printWarning(PrintWriter err, String warning) {
        err.println("warning: " + warning);
        err.flush();
    }
}
