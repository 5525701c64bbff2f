package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.server.api.AdminAccess;
import dev.flowgate.server.api.ApiHandler;
import dev.flowgate.server.http.HttpResponse;
import java.net.InetAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may call the admin endpoints (purge, retry), and what purge does. */
class PurgeTest {
    @TempDir
    Path dir;

    @Test
    void withoutATokenPurgeIsOpenToLoopbackClientsAndForgetsEverything() throws Exception {
        try (Harness h = Harness.start(dir)) {
            UUID id = UUID.randomUUID();
            h.pay(id, "10.00");
            Harness.await(Duration.ofSeconds(10), "settled", () -> h.engine.summary(null, null).get("default").count() == 1);
            assertThat(h.post("/purge-payments", null, "").statusCode()).isEqualTo(200);
            assertThat(h.engine.summary(null, null).get("default").count()).isZero();
            assertThat(h.get("/payments/" + id).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void withATokenPurgeNeedsIt() throws Exception {
        try (Harness h = Harness.withAdminToken(dir, "s3cret")) {
            assertThat(h.post("/purge-payments", null, "").statusCode()).isEqualTo(401);
            assertThat(h.send(HttpRequest.newBuilder(h.uri("/purge-payments")).header("X-Admin-Token", "wrong")
                    .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(401);
            assertThat(h.send(HttpRequest.newBuilder(h.uri("/purge-payments")).header("X-Admin-Token", "s3cret")
                    .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse adminCall(Harness h, AdminAccess access, String peer, String token) throws Exception {
        Map<String, String> headers = token == null ? Map.of() : Map.of("x-admin-token", token);
        return ApiHandler.of(h.engine, h.metrics, access).handle(new dev.flowgate.server.http.HttpRequest("POST",
                "/purge-payments", null, headers, new byte[0], InetAddress.getByName(peer)));
    }

    @Test
    void withoutATokenAClientFromAnotherMachineIsRefusedWithTheFlagToSet() throws Exception {
        try (Harness h = Harness.start(dir)) {
            HttpResponse refused = adminCall(h, new AdminAccess.LoopbackOnly(), "192.0.2.7", null);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(new String(refused.body(), StandardCharsets.UTF_8))
                    .contains("--admin-token-file").contains("--admin open");
            assertThat(refused.contentType()).isEqualTo("application/problem+json");
            assertThat(adminCall(h, new AdminAccess.LoopbackOnly(), "::1", null).status()).isEqualTo(200);
        }
    }

    @Test
    void openAdminAnswersClientsFromAnywhereAndATokenIsCheckedFromAnywhere() throws Exception {
        try (Harness h = Harness.start(dir)) {
            assertThat(adminCall(h, new AdminAccess.Open(), "192.0.2.7", null).status()).isEqualTo(200);
            assertThat(adminCall(h, new AdminAccess.Token("s3cret"), "192.0.2.7", "s3cret").status()).isEqualTo(200);
            assertThat(adminCall(h, new AdminAccess.Token("s3cret"), "127.0.0.1", null).status()).isEqualTo(401);
        }
    }
}
