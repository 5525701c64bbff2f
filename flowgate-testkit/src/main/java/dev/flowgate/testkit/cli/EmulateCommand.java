package dev.flowgate.testkit.cli;

import dev.flowgate.testkit.processor.ProcessorEmulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code emulate <service>}: runs a stand-in for one of the contest's services until interrupted. */
@Command(name = "emulate",
        description = "Runs an emulator of a contest service, for trying Flowgate without the contest's containers.",
        mixinStandardHelpOptions = true,
        subcommands = {EmulateCommand.Processor.class})
public final class EmulateCommand {

    /** {@code emulate processor}: the payment processor, on loopback port 8001 unless told otherwise. */
    @Command(name = "processor",
            description = "Runs the payment processor emulator until the process is interrupted (Ctrl-C).",
            mixinStandardHelpOptions = true)
    public static final class Processor implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--port", defaultValue = "8001", description = "Port to listen on, 0 for any free port (default: ${DEFAULT-VALUE}).")
        private int port;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
        private String host;

        @Option(names = "--fee", defaultValue = "0.05", description = "Fee per transaction as a fraction in [0, 1) (default: ${DEFAULT-VALUE}).")
        private BigDecimal fee;

        @Option(names = "--token", defaultValue = "123", description = "Initial X-Rinha-Token for /admin endpoints (default: ${DEFAULT-VALUE}).")
        private String token;

        @Option(names = "--delay", defaultValue = "0", paramLabel = "MS", description = "Initial delay before every payment answer, in ms (default: ${DEFAULT-VALUE}).")
        private long delayMillis;

        @Option(names = "--failing", description = "Start with the failure switch on (every payment answers 500).")
        private boolean failing;

        @Override
        public Integer call() {
            ProcessorEmulator.Options options = options();
            PrintWriter out = spec.commandLine().getOut();
            ProcessorEmulator emulator;
            try {
                emulator = ProcessorEmulator.start(options);
            } catch (IOException e) {
                spec.commandLine().getErr().println("cannot listen on " + host + ":" + port + ": " + e.getMessage());
                return 1;
            }
            emulator.setDelay(Duration.ofMillis(delayMillis));
            emulator.setFailing(failing);
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                emulator.close();
                stopped.countDown();
            }, "processor-emulator-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("processor emulator listening on " + emulator.baseUri() + " (fee " + fee.toPlainString() + ")");
            out.flush();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                // Interrupted in-process (not a JVM shutdown): stop now, and leave no hook behind.
                Runtime.getRuntime().removeShutdownHook(hook);
                emulator.close();
                Thread.currentThread().interrupt();
            }
            return 0;
        }

        /** The options as emulator settings; a {@link ParameterException} (exit code 2, no stack trace) when out of range. */
        private ProcessorEmulator.Options options() {
            if (port < 0 || port > 65_535) {
                throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, got " + port);
            }
            if (fee.signum() < 0 || fee.compareTo(BigDecimal.ONE) >= 0) {
                throw new ParameterException(spec.commandLine(), "--fee must be at least 0 and below 1 (0.05 is 5 %), got " + fee.toPlainString());
            }
            if (delayMillis < 0 || delayMillis > Integer.MAX_VALUE) {
                throw new ParameterException(spec.commandLine(), "--delay must be between 0 and " + Integer.MAX_VALUE + " ms, got " + delayMillis);
            }
            if (host.isBlank()) {
                throw new ParameterException(spec.commandLine(), "--host must not be blank");
            }
            if (token.isBlank()) {
                throw new ParameterException(spec.commandLine(), "--token must not be blank");
            }
            return ProcessorEmulator.Options.defaults()
                    .withHost(host)
                    .withPort(port)
                    .withFee(fee)
                    .withToken(token);
        }
    }
}
