package dev.flowgate.testkit.reference;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference processor ({@code Processor.java} beside this class's resources: the contest's
 * processor reimplemented by someone other than the emulator's authors) as a child process on a
 * loopback port, with its admin API as methods. What the testkit's emulator is checked against,
 * and what integration tests and {@code bench contest --processors reference} run against.
 *
 * <p>Started with the JDK running this code (a single-file source program needs Java 25, as
 * Flowgate does). It compiles itself at start, so starting takes a few seconds.
 */
public final class ReferenceProcessor implements AutoCloseable {
    private static final String SOURCE = "Processor.java";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern TOTAL_REQUESTS = Pattern.compile("\"totalRequests\":(\\d+)");

    private final Process process;
    private final Path workDir;
    private final URI baseUri;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** How to start one. */
    public record Options(int port, BigDecimal fee, String token, int healthWindowSeconds, int warmupRequests) {
        /** A free port, fee 5 %, token 123, the contest's 5 s health window, a short warm-up. */
        public static Options defaults() {
            return new Options(0, new BigDecimal("0.05"), "123", 5, 2_000);
        }

        public Options withPort(int port) {
            return new Options(port, fee, token, healthWindowSeconds, warmupRequests);
        }

        public Options withFee(BigDecimal fee) {
            return new Options(port, fee, token, healthWindowSeconds, warmupRequests);
        }

        public Options withToken(String token) {
            return new Options(port, fee, token, healthWindowSeconds, warmupRequests);
        }

        /** Its health endpoint's window (whole seconds: the program's own unit). */
        public Options withHealthWindowSeconds(int seconds) {
            return new Options(port, fee, token, seconds, warmupRequests);
        }

        /** Requests it sends itself before it says it is ready (the real one is compiled ahead of time). */
        public Options withWarmupRequests(int requests) {
            return new Options(port, fee, token, healthWindowSeconds, requests);
        }
    }

    private ReferenceProcessor(Process process, Path workDir, URI baseUri, String token) {
        this.process = process;
        this.workDir = workDir;
        this.baseUri = baseUri;
        this.token = token;
    }

    /**
     * Starts it and waits until it answers {@code GET /} with 200.
     *
     * @throws IOException if it cannot be started or is not ready in time; its output is in the message
     */
    public static ReferenceProcessor start(Options options) throws IOException {
        int port = options.port() == 0 ? freePort() : options.port();
        Path workDir = Files.createTempDirectory("flowgate-reference-processor");
        Path source = workDir.resolve(SOURCE);
        try (InputStream in = ReferenceProcessor.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IOException("the reference processor's source is missing from the testkit");
            }
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        Path log = workDir.resolve("output.log");
        List<String> command = new ArrayList<>(List.of(java(), source.toString(),
                "--port", Integer.toString(port), "--fee", options.fee().toPlainString(), "--token", options.token(),
                "--rate-limit-seconds", Integer.toString(options.healthWindowSeconds()),
                "--warmup", Integer.toString(options.warmupRequests()), "--ttl", "7200"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ReferenceProcessor processor = new ReferenceProcessor(process, workDir,
                URI.create("http://127.0.0.1:" + port), options.token());
        try {
            processor.awaitReady(log);
            return processor;
        } catch (IOException | RuntimeException e) {
            processor.close();
            throw e;
        }
    }

    private void awaitReady(Path log) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the reference processor exited with " + process.exitValue() + ": " + output(log));
            }
            try {
                if (call("GET", "/", null, false).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still compiling or warming up
            }
            sleep(Duration.ofMillis(100));
        }
        throw new IOException("the reference processor was not ready within " + READY_TIMEOUT.toSeconds() + " s: "
                + output(log));
    }

    public URI baseUri() {
        return baseUri;
    }

    public void setDelay(Duration delay) throws IOException {
        expect(200, call("PUT", "/admin/configurations/delay", "{\"delay\":" + delay.toMillis() + "}", true));
    }

    public void setFailing(boolean failing) throws IOException {
        expect(200, call("PUT", "/admin/configurations/failure", "{\"failure\":" + failing + "}", true));
    }

    public void purge() throws IOException {
        expect(200, call("POST", "/admin/purge-payments", null, true));
    }

    /** Every payment it holds, by its own admin summary. */
    public long storedCount() throws IOException {
        String body = expect(200, call("GET", "/admin/payments-summary", null, true)).body();
        Matcher m = TOTAL_REQUESTS.matcher(body);
        if (!m.find()) {
            throw new IOException("unexpected summary from the reference processor: " + body);
        }
        return Long.parseLong(m.group(1));
    }

    /** Its {@code GET /payments/{id}} answer's body, if it holds the payment. */
    public Optional<String> find(java.util.UUID correlationId) throws IOException {
        HttpResponse<String> answer = call("GET", "/payments/" + correlationId, null, false);
        return answer.statusCode() == 200 ? Optional.of(answer.body()) : Optional.empty();
    }

    /** Stops it (SIGTERM: it prints its call statistics) and removes its working directory. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (var files = Files.list(workDir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(workDir);
        } catch (IOException ignored) {
            // A temporary directory; the OS cleans it up in the end.
        }
    }

    private HttpResponse<String> call(String method, String path, String json, boolean admin) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUri.resolve(path)).timeout(ADMIN_TIMEOUT)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        if (admin) {
            request.header("X-Rinha-Token", token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> answer) throws IOException {
        if (answer.statusCode() != status) {
            throw new IOException(answer.request().method() + " " + answer.uri() + " answered " + answer.statusCode()
                    + ": " + answer.body());
        }
        return answer;
    }

    private static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String output(Path log) {
        try {
            String text = Files.readString(log);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the reference processor", e);
        }
    }
}
