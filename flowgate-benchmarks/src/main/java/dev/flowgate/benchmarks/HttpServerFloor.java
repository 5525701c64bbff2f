package dev.flowgate.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.flowgate.server.http.HttpLimits;
import dev.flowgate.server.http.HttpResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * Two do-nothing servers that answer every request with 202, for measuring what the HTTP layer
 * alone costs under the same load generator: Flowgate's own server on port 9101 and the JDK's
 * {@code com.sun.net.httpserver} with a virtual-thread executor on port 9102.
 *
 * <pre>
 * java -cp flowgate-benchmarks/target/benchmarks.jar dev.flowgate.benchmarks.HttpServerFloor &amp;
 * ./flowgate bench load --url http://127.0.0.1:9101 --rate 600 --connections 256 --duration 60 --warmup 20
 * ./flowgate bench load --url http://127.0.0.1:9102 --rate 600 --connections 256 --duration 60 --warmup 20
 * </pre>
 */
public final class HttpServerFloor {
    private HttpServerFloor() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        var flowgate = dev.flowgate.server.http.HttpServer.start(new InetSocketAddress("127.0.0.1", 9101),
                HttpLimits.defaults(), request -> HttpResponse.empty(202));
        HttpServer jdk = HttpServer.create(new InetSocketAddress("127.0.0.1", 9102), 1024);
        jdk.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        jdk.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        jdk.start();
        System.out.println("flowgate http on 9101, jdk httpserver on 9102");
        new CountDownLatch(1).await();
        flowgate.close();
    }
}
