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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a child process, killed with SIGKILL while flow tasks run and started again on the
 * same data: every task that got a 202 completes, each exactly once as its context sees it (a run
 * the kill cut short left no context write), and the tasks of a context in the order submitted;
 * a run the kill is made to cut runs again and counts once.
 */
class TaskCrashRecoveryTest {
    private static final int CONTEXTS = 4;
    /** Some work before the write, so that runs are under way when the kill lands. */
    private static final String SCRIPT = "let x = 0; for (let i = 0; i < 20000; i++) { x += i; }"
            + " const seen = get_context('seen') || []; seen.push(input.n); set_context('seen', seen);";
    /** Long enough (about 20 million instructions) for the kill to land while it runs. */
    private static final String SLOW_SCRIPT = "let x = 0; for (let i = 0; i < 2000000; i++) { x += i; }"
            + " set_context('slow_runs', (get_context('slow_runs') || 0) + 1);";
    private static final Pattern TASK_ID = Pattern.compile("\"taskId\":\"([^\"]+)\"");
    private static final Pattern OUTPUT = Pattern.compile("\"output\":\"\\[([0-9,]*)\\]\\\\n\"");

    @TempDir
    Path dataDir;
    private final List<Process> children = new ArrayList<>();
    private TestProcessor defaultProcessor;
    private TestProcessor fallbackProcessor;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    @AfterEach
    void stop() {
        children.forEach(Process::destroyForcibly);
        if (defaultProcessor != null) {
            defaultProcessor.close();
            fallbackProcessor.close();
        }
    }

    @Test
    void everyAcknowledgedTaskCompletesOnceAndInOrderAfterKillMinus9() throws Exception {
        defaultProcessor = TestProcessor.emulated(new BigDecimal("0.05"));
        fallbackProcessor = TestProcessor.emulated(new BigDecimal("0.15"));
        int port = freePort();
        Process first = startServer(port);
        // By context: submission number to task id, for the submissions that got a 202.
        List<Map<Integer, String>> acknowledged = new ArrayList<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CONTEXTS; c++) {
            Map<Integer, String> mine = new ConcurrentHashMap<>();
            acknowledged.add(mine);
            String context = "ctx-" + c;
            clients.add(Thread.ofVirtual().start(() -> submitUntilStopped(port, context, loading, mine)));
        }
        Harness.await(Duration.ofSeconds(30), "tasks acknowledged and some completed",
                () -> acknowledged.stream().mapToInt(Map::size).sum() >= 200 && completed(port, "ctx-0") > 5);
        // A run the kill is sure to cut: the kill waits until it is under way.
        HttpResponse<String> slow = client.send(post(port, "{\"workerId\":\"crash\",\"contextId\":\"ctx-slow\",\"script\":\""
                + SLOW_SCRIPT + "\"}"), HttpResponse.BodyHandlers.ofString());
        Matcher slowId = TASK_ID.matcher(slow.body());
        assertThat(slowId.find()).as(slow.body()).isTrue();
        Harness.await(Duration.ofSeconds(30), "the slow task to run", () -> status(port, slowId.group(1)).equals("processing"));
        first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
        loading.set(false);
        for (Thread thread : clients) {
            thread.join();
        }

        startServer(port);
        for (Map<Integer, String> mine : acknowledged) {
            Harness.await(Duration.ofSeconds(60), "every acknowledged task completed",
                    () -> mine.values().stream().allMatch(id -> status(port, id).equals("completed")));
        }
        Harness.await(Duration.ofSeconds(60), "the cut task completed", () -> status(port, slowId.group(1)).equals("completed"));
        assertThat(get(port, "/tasks/" + slowId.group(1))).as("run again after the kill").contains("\"attempts\":2");
        assertThat(seen(port, "ctx-slow", "slow_runs")).as("the cut run's write was never saved").containsExactly(1);
        for (int c = 0; c < CONTEXTS; c++) {
            int[] seen = seen(port, "ctx-" + c, "seen");
            assertThat(seen).as("ctx-%d: each task's write once, in the order submitted", c).isSorted()
                    .doesNotHaveDuplicates();
            assertThat(Arrays.stream(seen).boxed().toList()).containsAll(acknowledged.get(c).keySet());
        }
    }

    private void submitUntilStopped(int port, String context, AtomicBoolean loading, Map<Integer, String> acknowledged) {
        for (int n = 0; n < 2_000 && loading.get(); n++) {
            String body = "{\"workerId\":\"crash\",\"contextId\":\"" + context + "\",\"script\":\"" + SCRIPT
                    + "\",\"input\":{\"n\":" + n + "}}";
            try {
                HttpResponse<String> response = client.send(post(port, body), HttpResponse.BodyHandlers.ofString());
                Matcher id = TASK_ID.matcher(response.body());
                if (response.statusCode() == 202 && id.find()) {
                    acknowledged.put(n, id.group(1));
                }
            } catch (IOException e) {
                return; // the server was killed under us: this one is not acknowledged, and the next would not be
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static HttpRequest post(int port, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/tasks")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** What the context saved under {@code key} (as an array), read by a task of its own that runs after all the others. */
    private int[] seen(int port, String context, String key) throws Exception {
        String body = "{\"workerId\":\"crash\",\"contextId\":\"" + context
                + "\",\"script\":\"print(JSON.stringify([].concat(get_context('" + key + "') || [])))\",\"timeoutMs\":30000}";
        HttpResponse<String> response = client.send(post(port, body), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Matcher output = OUTPUT.matcher(response.body());
        assertThat(output.find()).as(response.body()).isTrue();
        return output.group(1).isEmpty() ? new int[0] : Arrays.stream(output.group(1).split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private int completed(int port, String context) {
        String body = get(port, "/tasks?workerId=crash&contextId=" + context + "&status=completed&limit=100");
        return body == null ? 0 : body.split("\"status\":\"completed\"", -1).length - 1;
    }

    private String status(int port, String taskId) {
        String body = get(port, "/tasks/" + taskId);
        Matcher status = body == null ? null : Pattern.compile("\"status\":\"([a-z]+)\"").matcher(body);
        return status != null && status.find() ? status.group(1) : "unknown";
    }

    private String get(int port, String pathAndQuery) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Process startServer(int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ServeMain.class.getName(),
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--data-dir", dataDir.toString(),
                "--flows-dir", dataDir.resolve("flows").toString(),
                "--processor", "default=" + defaultProcessor.baseUri() + ",fee=0.05",
                "--processor", "fallback=" + fallbackProcessor.baseUri() + ",fee=0.15",
                "--warmup-ms", "300")
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("server-" + children.size() + ".log").toFile())
                .start();
        children.add(process);
        Harness.await(Duration.ofSeconds(30), "the server to listen", () -> get(port, "/health") != null);
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
