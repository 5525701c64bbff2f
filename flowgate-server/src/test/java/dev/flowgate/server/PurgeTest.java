package dev.flowgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PurgeTest {
    @TempDir
    Path dir;

    @Test
    void withoutATokenPurgeIsOpenAndForgetsEverything() throws Exception {
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
}
