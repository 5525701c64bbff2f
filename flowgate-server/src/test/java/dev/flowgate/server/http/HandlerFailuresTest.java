package dev.flowgate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandlerFailuresTest {
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** {@code failure} is a RuntimeException or an Error: what a handler can throw. */
    private Socket startThrowing(Throwable failure) throws IOException {
        server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), HttpLimits.defaults(), request -> {
            if (request.path().equals("/fail")) {
                if (failure instanceof RuntimeException e) {
                    throw e;
                }
                throw (Error) failure;
            }
            return HttpResponse.empty(202);
        });
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void aHandlerThatThrowsAnExceptionGetsA500AndTheConnectionServesTheNextRequest() throws IOException {
        try (Socket socket = startThrowing(new IllegalStateException("injected"))) {
            assertThat(exchange(socket, "/fail")).startsWith("HTTP/1.1 500");
            assertThat(exchange(socket, "/ok")).startsWith("HTTP/1.1 202");
        }
    }

    @Test
    void aHandlerThatThrowsAnErrorGetsA503SayingToTryAgainAndTheConnectionServesTheNextRequest() throws IOException {
        try (Socket socket = startThrowing(new OutOfMemoryError("injected"))) {
            assertThat(exchange(socket, "/fail")).startsWith("HTTP/1.1 503");
            assertThat(exchange(socket, "/ok")).startsWith("HTTP/1.1 202");
        }
    }

    /** One keep-alive request; the answer's head, read up to its blank line, then its body by Content-Length. */
    private static String exchange(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        String text = head.toString();
        int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        if (at >= 0) {
            int length = Integer.parseInt(text.substring(at + 15, text.indexOf("\r\n", at)).trim());
            in.readNBytes(length);
        }
        return text;
    }
}
