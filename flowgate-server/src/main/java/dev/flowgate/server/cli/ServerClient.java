package dev.flowgate.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * What the commands that talk to a running server share: its address, one request, and how its
 * answer becomes output and an exit code (0 for a 2xx, 1 otherwise, with the answer on stderr).
 */
final class ServerClient {
    static final String DEFAULT_SERVER = "http://127.0.0.1:9999";
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** @throws IllegalArgumentException if {@code server} is not an http URL with a host */
    ServerClient(String server) {
        try {
            URI uri = new URI(server);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null) {
                throw new IllegalArgumentException("--server must be an http URL such as " + DEFAULT_SERVER + ": " + server);
            }
            this.base = URI.create(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--server must be an http URL such as " + DEFAULT_SERVER + ": " + server);
        }
    }

    /** Sends the request for {@code pathAndQuery} (built on by {@code request}) and prints the answer. */
    int exchange(String pathAndQuery, Duration timeout, UnaryOperator<HttpRequest.Builder> request,
                 PrintWriter out, PrintWriter err) {
        HttpRequest built = request.apply(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(timeout)).build();
        try {
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                out.println(response.body());
                return 0;
            }
            err.println(response.statusCode() + " " + response.body());
            return 1;
        } catch (IOException e) {
            err.println("cannot reach the server at " + base + ": " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
