package dev.flowgate.testkit.contest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.flowgate.testkit.cli.BenchCommand;
import dev.flowgate.testkit.processor.ProcessorEmulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code bench contest} from the command line. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ContestCommandTest {

    private static final String TOKEN = "s3cret";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--url=http://10.1.2.3:9999                     | --url: load tests only target loopback addresses: 10.1.2.3",
            "--url=https://127.0.0.1:9999                   | --url: not a plain http:// URL",
            "--vus=0                                        | --vus must be between 1 and 5000, got 0",
            "--vus=5001                                     | --vus must be between 1 and 5000, got 5001",
            "--vus=many                                     | Invalid value for option '--vus'",
            "--duration=0                                   | --duration must be between 1 and 3600 seconds, got 0",
            "--duration=3601                                | --duration must be between 1 and 3600 seconds, got 3601",
            "--default-url=http://127.0.0.1:8001            | --default-url and --fallback-url go together",
            "--default-port=65536                           | --default-port must be between 0 and 65535",
            "--processors=mine                              | --processors must be emulator or reference, got mine"})
    void badOptionsAreUsageErrors(String option, String message) {
        assertThat(bench("contest", option)).isEqualTo(2);
        assertThat(err.toString()).contains(message).doesNotContain("\tat ");
    }

    @Test
    void finalAndPreviewAreMutuallyExclusive() {
        assertThat(bench("contest", "--final", "--preview")).isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");
    }

    @Test
    void processorsElsewhereAreRefused() {
        assertThat(bench("contest", "--default-url", "http://10.0.0.1:8001", "--fallback-url", "http://127.0.0.1:8002"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--default-url: load tests only target loopback addresses: 10.0.0.1");
    }

    @Test
    void portsAreForStartedEmulatorsOnly() {
        assertThat(bench("contest", "--default-url", "http://127.0.0.1:8001", "--fallback-url", "http://127.0.0.1:8002",
                "--default-port", "9001")).isEqualTo(2);
        assertThat(err.toString()).contains("--default-port and --fallback-port are for the emulators this command starts");
    }

    @Test
    void benchNamesBothSubcommands() {
        assertThat(bench()).isEqualTo(2);
        assertThat(err.toString()).contains("Missing subcommand: load or contest");
    }

    @Test
    void aShortPreviewAgainstRunningProcessorsPrintsTheResult() throws Exception {
        try (ProcessorEmulator defaultEmulator = emulator("0.05");
                ProcessorEmulator fallbackEmulator = emulator("0.15");
                FakeBackend backend = new FakeBackend(defaultEmulator.baseUri(), fallbackEmulator.baseUri());
                HttpClient http = HttpClient.newHttpClient()) {
            UUID leftOver = UUID.randomUUID();
            post(http, defaultEmulator.baseUri(), leftOver);

            int exit = bench("contest", "--preview", "--duration", "4", "--vus", "20", "--url", backend.uri().toString(),
                    "--default-url", defaultEmulator.baseUri().toString(),
                    "--fallback-url", fallbackEmulator.baseUri().toString(), "--token", TOKEN);

            assertThat(exit).as(err.toString()).isZero();
            assertThat(err.toString()).contains("contest preview: 1 to 20 users over 4 s").contains("requests");
            Map<String, Object> result = parse(out.toString());
            assertThat(result).containsKeys("score", "gross", "fees", "net", "p99", "bonus", "fine", "inconsistencies",
                    "lag", "default", "fallback", "acknowledged", "latency", "requestsByStatus", "bestScore",
                    "scoreRatio", "disqualified");
            assertThat(result).containsEntry("scenario", "preview").containsEntry("vus", 20L)
                    .containsEntry("checks", 2L).containsEntry("failedChecks", 0L).containsEntry("scheduleErrors", 0L)
                    .containsEntry("backendPurged", true).containsEntry("paidOnBoth", null);
            // The processors were purged through their admin API before the run ...
            assertThat(defaultEmulator.find(leftOver)).isEmpty();
            assertThat(backend.purges()).isEqualTo(1);
            // ... and left in the last phase's conditions: default healthy, fallback 5 s slow.
            assertThat(health(http, fallbackEmulator.baseUri())).isEqualTo("{\"failing\":false,\"minResponseTime\":5000}");
            assertThat(health(http, defaultEmulator.baseUri())).isEqualTo("{\"failing\":false,\"minResponseTime\":0}");

            long acknowledged = (Long) result.get("acknowledged");
            assertThat(acknowledged).isPositive();
            assertThat(map(result, "requestsByStatus")).containsEntry("202", acknowledged).containsKeys("timeout", "error");
            assertThat(map(result, "latency")).containsKeys("p50", "p90", "p99", "max");
            BigDecimal net = decimal(result, "net");
            assertThat(net).isEqualByComparingTo(decimal(result, "gross").subtract(decimal(result, "fees")));
            assertThat(decimal(result, "score")).isEqualByComparingTo(net.multiply(
                    BigDecimal.ONE.add(decimal(result, "bonus")).subtract(decimal(result, "fine")))
                    .setScale(2, RoundingMode.HALF_UP));
            assertThat(decimal(result, "bestScore")).isEqualByComparingTo(
                    Scoring.bestScore(acknowledged, new BigDecimal("19.90"), new BigDecimal("0.05")));
            long recorded = (Long) map(result, "default").get("count") + (Long) map(result, "fallback").get("count");
            assertThat((Long) result.get("lag")).isEqualTo(acknowledged - recorded);
            assertThat(backend.bodies()).allMatch(body -> body.endsWith(",\"amount\":19.9}"));
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aShortPreviewAgainstTheReferenceProcessorsItStartsPrintsTheResult() throws Exception {
        int defaultPort = freePort();
        int fallbackPort = freePort();
        try (FakeBackend backend = new FakeBackend(URI.create("http://127.0.0.1:" + defaultPort),
                URI.create("http://127.0.0.1:" + fallbackPort))) {
            int exit = bench("contest", "--preview", "--duration", "4", "--vus", "20", "--url", backend.uri().toString(),
                    "--processors", "reference", "--default-port", String.valueOf(defaultPort),
                    "--fallback-port", String.valueOf(fallbackPort));

            assertThat(exit).as(err.toString()).isZero();
            assertThat(err.toString()).contains("(reference)");
            Map<String, Object> result = parse(out.toString());
            assertThat(result).containsEntry("failedChecks", 0L).containsEntry("scheduleErrors", 0L);
            assertThat((Long) result.get("acknowledged")).isPositive();
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private int bench(String... args) {
        return new CommandLine(new BenchCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    private static ProcessorEmulator emulator(String fee) throws IOException {
        return ProcessorEmulator.start(ProcessorEmulator.Options.defaults().withFee(new BigDecimal(fee)).withToken(TOKEN));
    }

    private static void post(HttpClient http, URI processor, UUID id) throws Exception {
        String body = "{\"correlationId\":\"" + id + "\",\"amount\":1.00,\"requestedAt\":\"2025-07-15T12:00:00.000Z\"}";
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(processor.resolve("/payments"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    private static String health(HttpClient http, URI processor) throws Exception {
        return http.send(HttpRequest.newBuilder(processor.resolve("/payments/service-health")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> object, String name) {
        return (Map<String, Object>) object.get(name);
    }

    private static BigDecimal decimal(Map<String, Object> object, String name) {
        return (BigDecimal) object.get(name);
    }

    /** The report as nested maps; whole numbers as Long, others as BigDecimal. */
    private static Map<String, Object> parse(String json) throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            Map<String, Object> object = object(parser);
            assertThat(parser.nextToken()).as("one object only").isNull();
            return object;
        }
    }

    private static Map<String, Object> object(JsonParser parser) throws IOException {
        Map<String, Object> object = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            object.put(name, switch (parser.nextToken()) {
                case START_OBJECT -> object(parser);
                case VALUE_NUMBER_INT -> parser.getLongValue();
                case VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
                case VALUE_STRING -> parser.getText();
                case VALUE_TRUE -> true;
                case VALUE_FALSE -> false;
                case VALUE_NULL -> null;
                default -> throw new IOException("unexpected " + parser.currentToken());
            });
        }
        return object;
    }
}
