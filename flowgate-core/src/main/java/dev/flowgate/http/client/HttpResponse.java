package dev.flowgate.http.client;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** An answer read whole off the wire: the final status (interim 1xx answers are skipped), headers, body. */
public record HttpResponse(int status, List<HttpHeader> headers, byte[] body) {
    public HttpResponse {
        headers = List.copyOf(headers);
    }

    /** The first value of the header {@code name} (any case), or null. */
    public String header(String name) {
        for (HttpHeader header : headers) {
            if (header.name().equalsIgnoreCase(name)) {
                return header.value();
            }
        }
        return null;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
