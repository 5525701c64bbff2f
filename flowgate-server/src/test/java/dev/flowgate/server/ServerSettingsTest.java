package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.server.api.AdminAccess;
import dev.flowgate.server.cli.ServerSettings;
import dev.flowgate.store.Durability;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerSettingsTest {
    private static Map<String, String> map(String... keyValues) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    @Test
    void defaultsServeTheContestPairOnPort9999() {
        ServerSettings settings = ServerSettings.resolve(map(), map(), map());
        assertThat(settings.port()).isEqualTo(9999);
        assertThat(settings.engine().dataDir()).isEqualTo(Path.of("data"));
        assertThat(settings.engine().processors()).extracting(p -> p.name() + "=" + p.baseUri())
                .containsExactly("default=http://127.0.0.1:8001", "fallback=http://127.0.0.1:8002");
        assertThat(settings.engine().durability()).isEqualTo(Durability.FSYNC);
        assertThat(settings.admin()).isEqualTo(new AdminAccess.LoopbackOnly());
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheFile() {
        ServerSettings settings = ServerSettings.resolve(
                map("port", "1001"),
                map("FLOWGATE_PORT", "1002", "FLOWGATE_DATA_DIR", "/tmp/env"),
                map("port", "1003", "data-dir", "/tmp/file", "workers", "7"));
        assertThat(settings.port()).isEqualTo(1001);
        assertThat(settings.engine().dataDir()).isEqualTo(Path.of("/tmp/env"));
        assertThat(settings.engine().workers()).isEqualTo(7);
    }

    @Test
    void processorsTakeAnOptionalFee() {
        ServerSettings settings = ServerSettings.resolve(
                map("processor", "a=http://127.0.0.1:1,fee=0.07 b=http://127.0.0.1:2"), map(), map());
        assertThat(settings.engine().processors()).hasSize(2);
        assertThat(settings.engine().processors().get(0).fee()).isEqualByComparingTo(new BigDecimal("0.07"));
        assertThat(settings.engine().processors().get(1).baseUri()).isEqualTo(URI.create("http://127.0.0.1:2"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "port|70000|--port: must be between 0 and 65535",
            "port|abc|--port: 'abc' is not a whole number",
            "workers|0|--workers: must be between 1 and 100000",
            "durability|maybe|--durability: must be fsync or no-fsync",
            "processor|default|--processor: 'default' must look like",
            "processor|default=ftp://x|--processor: processor 'default' needs an http(s) URL",
            "processor|default=http://h:1/?a=b|--processor: processor 'default' URL cannot have a query or a fragment",
            "processor|default=http://h:1,fee=2|--processor: processor 'default' fee must be in [0, 1)",
            "processor|default=http://h:1,fee=x|--processor: fee of processor default is not a number",
            "processor|default=http://h:1,colour=red|--processor: unknown option",
            "processor|Bad Name=http://h:1|--processor:",
            "processor|a=http://h:1 a=http://h:2|processor 'a' is configured twice",
            "processor-timeout-ms|-5|--processor-timeout-ms: must be between",
            "data-dir|'  '|--data-dir: must not be empty",
            "latency-cost-per-second|2|--latency-cost-per-second: must be between 0 and 1",
            "latency-cost-per-second|NaN|--latency-cost-per-second: must be between 0 and 1",
            "latency-cost-per-second|cheap|--latency-cost-per-second: 'cheap' is not a number",
            "max-in-flight|0|--max-in-flight: must be between 1 and 100000",
            "admin|sometimes|--admin: must be open or loopback",
            "admin-token-file|/nonexistent/token|--admin-token-file: cannot read /nonexistent/token"})
    void badValuesAreRefusedNamingTheSetting(String name, String value, String message) {
        assertThatThrownBy(() -> ServerSettings.resolve(map(name, value), map(), map()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aProcessorWithoutAFeeHasNoFeeRatherThanZero() {
        ServerSettings settings = ServerSettings.resolve(map("processor", "a=http://127.0.0.1:1"), map(), map());
        assertThat(settings.engine().processors().getFirst().fee()).isNull();
    }

    @Test
    void credentialsInAProcessorUrlNeverAppearInMessages() {
        assertThatThrownBy(() -> ServerSettings.resolve(map("processor", "a=http://user:hunter2@h:1 a=http://user:hunter2@h:2"),
                map(), map())).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ServerSettings.resolve(map("processor", "a=http://user:hunter2@h:1 x"), map(), map()))
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ServerSettings.resolve(map("processor", "a=ftp://user:hunter2@h:1"), map(), map()))
                .hasMessageNotContaining("hunter2");
        ServerSettings settings = ServerSettings.resolve(map("processor", "a=http://user:hunter2@h:1/x"), map(), map());
        assertThat(settings.engine().processors().getFirst().displayUri()).isEqualTo("http://***@h:1/x");
        assertThat(settings.engine().processors().getFirst().toString()).doesNotContain("hunter2");
    }

    @Test
    void withoutATokenAdminIsForLoopbackOrOpenOnPurpose() {
        assertThat(ServerSettings.resolve(map(), map(), map()).admin()).isEqualTo(new AdminAccess.LoopbackOnly());
        assertThat(ServerSettings.resolve(map("admin", "open"), map(), map()).admin()).isEqualTo(new AdminAccess.Open());
    }

    @Test
    void theAdminTokenCanComeFromAFileKeepingItOutOfPs(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        java.nio.file.Files.writeString(file, "s3cret\n");
        assertThat(ServerSettings.resolve(map("admin-token-file", file.toString()), map(), map()).admin())
                .isEqualTo(new AdminAccess.Token("s3cret"));
        java.nio.file.Files.writeString(file, "  \n");
        assertThatThrownBy(() -> ServerSettings.resolve(map("admin-token-file", file.toString()), map(), map()))
                .hasMessageContaining("empty");
    }

    @Test
    void conflictingAdminSettingsAreRefused() {
        assertThatThrownBy(() -> ServerSettings.resolve(map("admin-token", "a", "admin", "open"), map(), map()))
                .hasMessageContaining("--admin");
        assertThatThrownBy(() -> ServerSettings.resolve(map("admin-token", "a", "admin-token-file", "/x"), map(), map()))
                .hasMessageContaining("not both");
    }

    @Test
    void routingKnobsAreSettings() {
        ServerSettings settings = ServerSettings.resolve(map("latency-cost-per-second", "0.05", "max-in-flight", "64"),
                map(), map());
        assertThat(settings.engine().routing().latencyCostPerSecond()).isEqualTo(0.05);
        assertThat(settings.engine().routing().maxInFlight()).isEqualTo(64);
    }

    @Test
    void aBadEnvironmentValueNamesTheVariable() {
        assertThatThrownBy(() -> ServerSettings.resolve(map(), map("FLOWGATE_PORT", "-1"), map()))
                .hasMessageStartingWith("FLOWGATE_PORT:");
    }

    @Test
    void aBadFileValueNamesTheKey() {
        assertThatThrownBy(() -> ServerSettings.resolve(map(), map(), map("workers", "many")))
                .hasMessageStartingWith("'workers' in the configuration file:");
    }
}
