package dev.flowgate.server.cli;

import dev.flowgate.FlowgateConfig;
import dev.flowgate.ProcessorConfig;
import dev.flowgate.routing.RoutingPolicy;
import dev.flowgate.server.api.AdminAccess;
import dev.flowgate.store.Durability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The server's settings, resolved from flags, environment variables and a configuration file, in
 * that order of precedence, over the defaults. Each setting has one name used everywhere: flag
 * {@code --data-dir}, variable {@code FLOWGATE_DATA_DIR}, file key {@code data-dir}.
 *
 * @param admin who may call the admin endpoints: a token's holders; without one, clients on this
 *              machine only, or anyone with {@code admin = open}
 */
public record ServerSettings(String host, int port, AdminAccess admin, FlowgateConfig engine) {
    /** Every setting name, as a file key; the flag is {@code --name}, the variable FLOWGATE_NAME. */
    public static final List<String> NAMES = List.of(
            "host", "port", "data-dir", "processor", "durability", "workers", "processor-timeout-ms",
            "latency-cost-per-second", "max-in-flight", "admin",
            "admin-token", "admin-token-file");

    /**
     * @param flags values given on the command line, by setting name ("processor" holds the
     *              processors separated by whitespace)
     * @param env   the environment
     * @param file  the configuration file's entries
     * @throws IllegalArgumentException naming the setting and where its bad value came from
     */
    public static ServerSettings resolve(Map<String, String> flags, Map<String, String> env, Map<String, String> file) {
        Source source = new Source(flags, env, file);
        FlowgateConfig.Builder engine = FlowgateConfig.builder();
        String dataDir = source.get("data-dir");
        if (dataDir != null) {
            engine.dataDir(Path.of(require(dataDir, "data-dir", source)));
        }
        String flowsDir = source.get("flows-dir");
        if (flowsDir != null) {
            engine.flowsDir(Path.of(require(flowsDir, "flows-dir", source)));
        }
        String processors = source.get("processor");
        if (processors != null) {
            engine.processors(processors(processors, source));
        }
        String durability = source.get("durability");
        if (durability != null) {
            engine.durability(switch (durability.toLowerCase(Locale.ROOT)) {
                case "fsync" -> Durability.FSYNC;
                case "no-fsync" -> Durability.NO_FSYNC;
                default -> throw source.invalid("durability", "must be fsync or no-fsync");
            });
        }
        String workers = source.get("workers");
        if (workers != null) {
            engine.workers(integer(workers, "workers", 1, 100_000, source));
        }
        String timeout = source.get("processor-timeout-ms");
        if (timeout != null) {
            engine.processorTimeout(Duration.ofMillis(
                    integer(timeout, "processor-timeout-ms", 1, 600_000, source)));
        }
        String latencyCost = source.get("latency-cost-per-second");
        String maxInFlight = source.get("max-in-flight");
        if (latencyCost != null || maxInFlight != null) {
            RoutingPolicy routing = RoutingPolicy.defaults();
            engine.routing(new RoutingPolicy(
                    latencyCost == null ? routing.latencyCostPerSecond() : fraction(latencyCost, "latency-cost-per-second", source),
                    maxInFlight == null ? routing.maxInFlight() : integer(maxInFlight, "max-in-flight", 1, 100_000, source),
                    routing.openDuration(), routing.slowCall(), routing.healthInterval()));
        }
        String port = source.get("port");
        String host = source.get("host");
        return new ServerSettings(
                host == null ? "0.0.0.0" : require(host, "host", source),
                port == null ? 9999 : integer(port, "port", 0, 65535, source),
                admin(source),
                build(engine, source));
    }

    /** At most one of a token, a token file and {@code admin = open}; none means loopback only. */
    private static AdminAccess admin(Source source) {
        String token = source.get("admin-token");
        String tokenFile = source.get("admin-token-file");
        String mode = source.get("admin");
        if (token != null && tokenFile != null) {
            throw source.invalid("admin-token-file", "give the admin token either directly or in a file, not both");
        }
        if (mode != null && !mode.equals("open") && !mode.equals("loopback")) {
            throw source.invalid("admin", "must be open or loopback");
        }
        if (tokenFile != null) {
            token = readToken(tokenFile, source);
        }
        if (token != null) {
            if (mode != null) {
                throw source.invalid("admin", "an admin token is configured: admin endpoints need it, so admin "
                        + "cannot also be " + mode);
            }
            if (token.isBlank()) {
                throw source.invalid(tokenFile != null ? "admin-token-file" : "admin-token", "the admin token is empty");
            }
            return new AdminAccess.Token(token);
        }
        return "open".equals(mode) ? new AdminAccess.Open() : new AdminAccess.LoopbackOnly();
    }

    /** The file's content without the line break an editor adds at its end. */
    private static String readToken(String file, Source source) {
        try {
            String content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            return content.strip();
        } catch (IOException | InvalidPathException e) {
            throw source.invalid("admin-token-file", "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Builds the engine's configuration; a cross-setting problem (a processor twice) names the processors. */
    private static FlowgateConfig build(FlowgateConfig.Builder engine, Source source) {
        try {
            return engine.build();
        } catch (IllegalArgumentException e) {
            throw source.invalid("processor", e.getMessage());
        }
    }

    /** Parses whitespace-separated processors, each {@code name=url} with an optional {@code ,fee=0.05}. */
    static List<ProcessorConfig> processors(String value, Source source) {
        List<ProcessorConfig> result = new ArrayList<>();
        for (String spec : value.trim().split("\\s+")) {
            if (spec.isEmpty()) {
                continue;
            }
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw source.invalid("processor", "'" + masked(spec) + "' must look like default=http://127.0.0.1:8001[,fee=0.05]");
            }
            String name = spec.substring(0, eq);
            String[] parts = spec.substring(eq + 1).split(",");
            BigDecimal fee = null; // unknown: the router never takes it for free
            for (int i = 1; i < parts.length; i++) {
                if (!parts[i].startsWith("fee=")) {
                    throw source.invalid("processor", "unknown option '" + parts[i] + "' for processor " + name);
                }
                try {
                    fee = new BigDecimal(parts[i].substring(4));
                } catch (NumberFormatException e) {
                    throw source.invalid("processor", "fee of processor " + name + " is not a number");
                }
            }
            try {
                result.add(new ProcessorConfig(name, new URI(parts[0]), fee));
            } catch (URISyntaxException e) {
                throw source.invalid("processor", "'" + masked(parts[0]) + "' is not a URL");
            } catch (IllegalArgumentException e) {
                throw source.invalid("processor", e.getMessage());
            }
        }
        if (result.isEmpty()) {
            throw source.invalid("processor", "at least one processor is needed");
        }
        return result;
    }

    /** Credentials in a URL-like text that may not parse, as {@code ***}. */
    private static String masked(String text) {
        return text.replaceAll("://[^/@]*@", "://***@");
    }

    private static int integer(String value, String name, int min, int max, Source source) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                throw source.invalid(name, "must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw source.invalid(name, "'" + value + "' is not a whole number");
        }
    }

    private static double fraction(String value, String name, Source source) {
        try {
            double d = Double.parseDouble(value.trim());
            if (!(d >= 0 && d <= 1)) {
                throw source.invalid(name, "must be between 0 and 1");
            }
            return d;
        } catch (NumberFormatException e) {
            throw source.invalid(name, "'" + value + "' is not a number");
        }
    }

    private static String require(String value, String name, Source source) {
        if (value.isBlank()) {
            throw source.invalid(name, "must not be empty");
        }
        return value;
    }

    /** Looks a setting up by precedence and remembers where each value came from, for error messages. */
    static final class Source {
        private final Map<String, String> flags;
        private final Map<String, String> env;
        private final Map<String, String> file;

        Source(Map<String, String> flags, Map<String, String> env, Map<String, String> file) {
            this.flags = Objects.requireNonNull(flags);
            this.env = Objects.requireNonNull(env);
            this.file = Objects.requireNonNull(file);
        }

        String get(String name) {
            if (flags.get(name) != null) {
                return flags.get(name);
            }
            String fromEnv = env.get(variable(name));
            return fromEnv != null ? fromEnv : file.get(name);
        }

        IllegalArgumentException invalid(String name, String problem) {
            String origin = flags.get(name) != null ? "--" + name
                    : env.get(variable(name)) != null ? variable(name)
                    : file.get(name) != null ? "'" + name + "' in the configuration file"
                    : name;
            return new IllegalArgumentException(origin + ": " + problem);
        }

        static String variable(String name) {
            return "FLOWGATE_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }
}
