package dev.flowgate.testkit.contest;

import dev.flowgate.testkit.processor.ProcessorEmulator.Summary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** A processor reached over HTTP, driven through its token-protected {@code /admin} endpoints. */
final class AdminApiProcessor implements ProcessorControl {

    // Admin calls are not measured; generous, so a busy processor is not mistaken for a dead one.
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);
    private static final byte[] NO_BODY = new byte[0];

    private final String name;
    private final LoopbackHttp http;
    private final Map<String, String> headers;
    private final Map<String, String> jsonHeaders;
    private final ContestJson json = new ContestJson();

    AdminApiProcessor(String name, LoopbackHttp http, String token) {
        this.name = name;
        this.http = http;
        this.headers = Map.of("X-Rinha-Token", token);
        this.jsonHeaders = Map.of("X-Rinha-Token", token, "Content-Type", "application/json");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void purge() throws IOException {
        expectOk("POST /admin/purge-payments", http.call("POST", "/admin/purge-payments", headers, NO_BODY, ADMIN_TIMEOUT));
    }

    @Override
    public void apply(Condition condition) throws IOException {
        put("/admin/configurations/delay", "{\"delay\":" + condition.delayMillis() + "}");
        put("/admin/configurations/failure", "{\"failure\":" + condition.failing() + "}");
    }

    @Override
    public Summary summary(CheckWindow window) throws IOException {
        LoopbackHttp.Answer answer = http.call("GET", "/admin/payments-summary?" + window.query(), headers, NO_BODY, ADMIN_TIMEOUT);
        expectOk("GET /admin/payments-summary", answer);
        return json.processorSummary(answer.body());
    }

    @Override
    public Optional<Set<UUID>> paymentIds() {
        return Optional.empty();
    }

    private void put(String path, String body) throws IOException {
        expectOk("PUT " + path, http.call("PUT", path, jsonHeaders, body.getBytes(StandardCharsets.US_ASCII), ADMIN_TIMEOUT));
    }

    private void expectOk(String call, LoopbackHttp.Answer answer) throws IOException {
        if (!answer.ok()) {
            throw new IOException(name + " processor at " + http.base() + ": " + call + " answered "
                    + answer.status() + (answer.status() == 401 ? " (wrong --token?)" : "") + ": " + answer.text());
        }
    }
}
