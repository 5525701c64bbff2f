package dev.flowgate.benchmarks;

import dev.flowgate.http.client.HttpClient;
import dev.flowgate.intake.ParseResult;
import dev.flowgate.intake.PaymentParser;
import dev.flowgate.payment.Payment;
import dev.flowgate.processor.HttpProcessorClient;
import dev.flowgate.processor.SendOutcome;
import dev.flowgate.server.http.HttpLimits;
import dev.flowgate.server.http.HttpResponse;
import dev.flowgate.server.http.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * The least a contest backend does, for a second floor beside {@link HttpServerFloor}'s: answer
 * {@code POST /payments} with 202 at once, then pay it on a virtual thread, on the default
 * processor and, when that one refuses it, once on the fallback (a timeout is not sent again, so
 * nothing is paid twice). No journal, no routing, no ledger, no retries, nothing kept: payments
 * both processors refuse are dropped.
 *
 * <p>Under the contest's final the do-nothing floor's processors sit idle, while every real
 * backend's make them work on the same two cores. This floor puts the processors' work (and the
 * client side of their calls, with Flowgate's own processor client) into the floor, so what a
 * run of Flowgate adds beyond it is what its journal, routing and settlement cost.
 *
 * <pre>
 * java -cp flowgate-benchmarks/target/benchmarks.jar dev.flowgate.benchmarks.RelayFloor &amp;
 * ./flowgate bench contest --final --processors reference --url http://127.0.0.1:9103
 * </pre>
 */
public final class RelayFloor {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private RelayFloor() {
    }

    public static void main(String[] args) throws Exception {
        var http = HttpClient.builder().connectTimeout(CONNECT_TIMEOUT).requestTimeout(CALL_TIMEOUT).build();
        var defaultProcessor = new HttpProcessorClient("default", URI.create("http://127.0.0.1:8001"), http, CALL_TIMEOUT);
        var fallbackProcessor = new HttpProcessorClient("fallback", URI.create("http://127.0.0.1:8002"), http, CALL_TIMEOUT);
        var parser = new PaymentParser();
        var relay = Thread.ofVirtual().name("relay-", 0).factory();
        try (var server = HttpServer.start(new InetSocketAddress("127.0.0.1", 9103), HttpLimits.defaults(),
                request -> {
                    if (request.method().equals("POST") && request.path().equals("/payments")
                            && parser.parse(request.body()) instanceof ParseResult.Valid(Payment payment)) {
                        Instant requestedAt = Instant.now();
                        relay.newThread(() -> {
                            switch (defaultProcessor.send(payment, requestedAt)) {
                                case SendOutcome.Failed _, SendOutcome.NotSent _, SendOutcome.RateLimited _ ->
                                        fallbackProcessor.send(payment, requestedAt);
                                default -> { }
                            }
                        }).start();
                    }
                    return HttpResponse.empty(202);
                })) {
            System.out.println("relay floor on 9103: default http://127.0.0.1:8001, fallback http://127.0.0.1:8002");
            new CountDownLatch(1).await();
        }
    }
}
