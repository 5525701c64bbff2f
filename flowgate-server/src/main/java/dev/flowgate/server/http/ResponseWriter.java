package dev.flowgate.server.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes a response head and body in a single write, so small answers leave in one segment. */
final class ResponseWriter {
    /**
     * The whole message of a bodiless keep-alive {@code 202}, the answer to nearly every request
     * under load, built once instead of per request.
     */
    private static final byte[] ACCEPTED = message(HttpResponse.empty(202), true);

    private ResponseWriter() {
    }

    static void write(OutputStream out, HttpResponse response, boolean keepAlive) throws IOException {
        boolean accepted = keepAlive && response.status() == 202 && response.body().length == 0
                && response.contentType() == null && response.headers().isEmpty();
        out.write(accepted ? ACCEPTED : message(response, keepAlive));
        out.flush();
    }

    private static byte[] message(HttpResponse response, boolean keepAlive) {
        StringBuilder head = new StringBuilder(128)
                .append("HTTP/1.1 ").append(response.status()).append(' ').append(reason(response.status()))
                .append("\r\nContent-Length: ").append(response.body().length);
        if (response.contentType() != null) {
            head.append("\r\nContent-Type: ").append(response.contentType());
        }
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            head.append("\r\n").append(header.getKey()).append(": ").append(header.getValue());
        }
        if (!keepAlive) {
            head.append("\r\nConnection: close");
        }
        head.append("\r\n\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] message = new byte[headBytes.length + response.body().length];
        System.arraycopy(headBytes, 0, message, 0, headBytes.length);
        System.arraycopy(response.body(), 0, message, headBytes.length, response.body().length);
        return message;
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
