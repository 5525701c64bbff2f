package dev.flowgate.server.cli;

import dev.flowgate.Flowgate;
import dev.flowgate.ProcessorConfig;
import dev.flowgate.server.api.AdminAccess;
import dev.flowgate.server.api.ApiHandler;
import dev.flowgate.server.http.HttpLimits;
import dev.flowgate.server.http.HttpServer;
import dev.flowgate.server.metrics.MicrometerMetrics;
import dev.flowgate.store.StoreException;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flowgate serve}: the intake API and the workers, on the embedded database. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Starts the payment intake server.",
                "Settings come from flags, then FLOWGATE_* environment variables, then the configuration file."})
public final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", description = "HTTP port (default 9999).")
    String port;

    @Option(names = "--host", description = "Address to listen on (default 0.0.0.0).")
    String host;

    @Option(names = "--data-dir", description = "Directory of the embedded database (default ./data).")
    String dataDir;

    @Option(names = "--flows-dir", description = "Directory of the flow scripts, NAME.js (default ./flows).")
    String flowsDir;

    @Option(names = "--processor", paramLabel = "NAME=URL[,fee=F]",
            description = {"A payment processor, cheapest first; repeat for each.",
                    "Default: default=http://127.0.0.1:8001,fee=0.05 fallback=http://127.0.0.1:8002,fee=0.15"})
    List<String> processors;

    @Option(names = "--durability", description = "fsync (default: each commit is synced to disk) or no-fsync "
            + "(survives a process crash, not a power loss).")
    String durability;

    @Option(names = "--workers", description = "Concurrent settlement attempts (default 1024).")
    String workers;

    @Option(names = "--processor-timeout-ms", description = "Longest processor call before its outcome counts as unknown (default 10000).")
    String processorTimeoutMs;

    @Option(names = "--latency-cost-per-second", description = "What a second of processor latency costs, as a "
            + "fraction of the amount, when choosing between processors (default 0.02).")
    String latencyCostPerSecond;

    @Option(names = "--max-in-flight", description = "Calls in flight to one processor at most; adapts below it (default 768).")
    String maxInFlight;

    @Option(names = "--admin-token", description = "Token the admin endpoints (purge, retry) require in X-Admin-Token. "
            + "Visible to ps: prefer --admin-token-file.")
    String adminToken;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "File holding the admin token.")
    String adminTokenFile;

    @Option(names = "--admin", paramLabel = "open|loopback", description = "Without a token, who may call the admin "
            + "endpoints: loopback (default: clients on this machine only) or open (anyone; for contest deployments).")
    String admin;

    @Option(names = "--warmup-ms", defaultValue = "3000",
            description = "Before reporting ready, exercise the request path for this long so the JIT has compiled it "
                    + "(touches no data; 0 to skip; default 3000).")
    long warmupMillis;

    @Option(names = "--config", description = "Configuration file of name = value lines (default ./flowgate.properties if present).")
    Path config;

    @Override
    public Integer call() throws Exception {
        if (warmupMillis < 0 || warmupMillis > 600_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup-ms: must be between 0 and 600000");
        }
        ServerSettings settings;
        try {
            settings = ServerSettings.resolve(flags(), System.getenv(), file());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        MicrometerMetrics metrics = new MicrometerMetrics();
        Flowgate engine;
        try {
            engine = Flowgate.start(settings.engine(), metrics);
        } catch (StoreException e) {
            spec.commandLine().getErr().println("flowgate: " + e.getMessage());
            return 1;
        }
        metrics.watch(engine::status, settings.engine().processors().stream().map(ProcessorConfig::name).toList());
        HttpServer server;
        try {
            server = HttpServer.start(new InetSocketAddress(settings.host(), settings.port()), HttpLimits.defaults(),
                    ApiHandler.of(engine, metrics, settings.admin()));
        } catch (IOException e) {
            engine.close();
            spec.commandLine().getErr().println("flowgate: cannot listen on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage());
            return 1;
        }
        long warmupRequests = Warmup.run(server.port(), Duration.ofMillis(warmupMillis));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            engine.close();
            stopped.countDown();
        }, "flowgate-shutdown"));
        spec.commandLine().getOut().printf("flowgate listening on http://%s:%d (data in %s; processors %s; "
                        + "warmed up with %d requests)%n",
                settings.host(), server.port(), settings.engine().dataDir().toAbsolutePath(),
                settings.engine().processors().stream().map(ServeCommand::describe).collect(Collectors.joining(", ")),
                warmupRequests);
        if (settings.admin() instanceof AdminAccess.Open) {
            spec.commandLine().getOut().println("flowgate: WARNING admin endpoints (purge, retry) are open to anyone "
                    + "who reaches this port (--admin open)");
        }
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    private static String describe(ProcessorConfig p) {
        return p.name() + "=" + p.displayUri() + " (fee " + (p.fee() == null ? "unknown" : p.fee().toPlainString()) + ")";
    }

    private Map<String, String> flags() {
        Map<String, String> flags = new HashMap<>();
        flags.put("port", port);
        flags.put("host", host);
        flags.put("data-dir", dataDir);
        flags.put("flows-dir", flowsDir);
        flags.put("processor", processors == null ? null : String.join(" ", processors));
        flags.put("durability", durability);
        flags.put("workers", workers);
        flags.put("processor-timeout-ms", processorTimeoutMs);
        flags.put("latency-cost-per-second", latencyCostPerSecond);
        flags.put("max-in-flight", maxInFlight);
        flags.put("admin-token", adminToken);
        flags.put("admin-token-file", adminTokenFile);
        flags.put("admin", admin);
        return flags;
    }

    private Map<String, String> file() throws IOException {
        Path path = config != null ? config : Path.of("flowgate.properties");
        if (config == null && !Files.exists(path)) {
            return Map.of();
        }
        if (!Files.isReadable(path)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config: cannot read " + path);
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path)) {
            properties.load(reader);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config: " + path + " is malformed: " + e.getMessage());
        }
        Map<String, String> entries = new HashMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (!ServerSettings.NAMES.contains(key)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--config: unknown setting '" + key
                        + "' in " + path + "; known: " + String.join(", ", ServerSettings.NAMES));
            }
            entries.put(key, properties.getProperty(key));
        }
        return entries;
    }
}
