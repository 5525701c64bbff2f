package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a child process, killed with SIGKILL under load and started again on the same data:
 * every payment that got a 202 is settled exactly once, and the summary agrees with the processors.
 * Against the testkit's emulator and against the reference processor.
 */
class CrashRecoveryTest {
    @TempDir
    Path dataDir;
    private final List<Process> children = new ArrayList<>();
    private TestProcessor defaultProcessor;
    private TestProcessor fallbackProcessor;

    @AfterEach
    void stop() {
        children.forEach(Process::destroyForcibly);
        if (defaultProcessor != null) {
            defaultProcessor.close();
            fallbackProcessor.close();
        }
    }

    @ParameterizedTest
    @EnumSource(TestProcessor.Kind.class)
    void everyAcknowledgedPaymentIsSettledExactlyOnceAfterKillMinus9(TestProcessor.Kind kind) throws Exception {
        defaultProcessor = kind.start(new BigDecimal("0.05"));
        fallbackProcessor = kind.start(new BigDecimal("0.15"));
        // A delay keeps attempts on the wire when the kill lands, so recovery has unknown outcomes to reconcile.
        defaultProcessor.setDelay(Duration.ofMillis(150));
        int port = freePort();

        Process first = startServer(port);
        Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
        Set<UUID> sent = ConcurrentHashMap.newKeySet();
        AtomicBoolean loading = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(Thread.ofVirtual().start(() -> load(port, loading, sent, acknowledged)));
        }
        Harness.await(Duration.ofSeconds(20), "some payments acknowledged", () -> acknowledged.size() >= 300);
        first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
        loading.set(false);
        for (Thread client : clients) {
            client.join();
        }
        assertThat(sent).containsAll(acknowledged);

        defaultProcessor.setDelay(Duration.ZERO);
        Process second = startServer(port);
        long restarted = System.nanoTime();
        Harness.await(Duration.ofSeconds(60), "every acknowledged payment settled",
                () -> acknowledged.stream().allMatch(id -> stored(id) > 0));
        Harness.await(Duration.ofSeconds(30), "the ledger caught up with the processors",
                () -> summaryCount(port) == defaultProcessor.storedCount() + fallbackProcessor.storedCount());
        System.out.printf("%s: %d acknowledged payments settled and in the ledger %d ms after the restart%n", kind,
                acknowledged.size(), (System.nanoTime() - restarted) / 1_000_000);

        for (UUID id : acknowledged) {
            assertThat(stored(id)).as("payment %s stored by exactly one processor", id).isEqualTo(1);
        }
        long storedOfOurs = sent.stream().filter(id -> stored(id) > 0).count();
        assertThat(defaultProcessor.storedCount() + fallbackProcessor.storedCount())
                .as("the processors hold only payments that were sent to us, each once").isEqualTo(storedOfOurs);
        second.destroy();
    }

    private int stored(UUID id) {
        return (defaultProcessor.holds(id) ? 1 : 0) + (fallbackProcessor.holds(id) ? 1 : 0);
    }

    private static void load(int port, AtomicBoolean loading, Set<UUID> sent, Set<UUID> acknowledged) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        for (int i = 0; i < 5_000 && loading.get(); i++) {
            UUID id = UUID.randomUUID();
            sent.add(id);
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/payments"))
                    .timeout(Duration.ofSeconds(2))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"correlationId\":\"" + id + "\",\"amount\":20.05}"))
                    .build();
            try {
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 202) {
                    acknowledged.add(id);
                }
            } catch (IOException e) {
                // The server was killed under us: this one is not acknowledged.
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long summaryCount(int port) {
        try {
            String body = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/payments-summary")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long total = 0;
            var matcher = java.util.regex.Pattern.compile("\"totalRequests\":(\\d+)").matcher(body);
            while (matcher.find()) {
                total += Long.parseLong(matcher.group(1));
            }
            return total;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private Process startServer(int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ServeMain.class.getName(),
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--data-dir", dataDir.toString(),
                "--processor", "default=" + defaultProcessor.baseUri() + ",fee=0.05",
                "--processor", "fallback=" + fallbackProcessor.baseUri() + ",fee=0.15",
                "--workers", "64", "--warmup-ms", "300")
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("server-" + children.size() + ".log").toFile())
                .start();
        children.add(process);
        Harness.await(Duration.ofSeconds(30), "the server to listen", () -> {
            try {
                return HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
