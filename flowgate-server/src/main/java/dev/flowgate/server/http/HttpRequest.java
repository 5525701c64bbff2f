package dev.flowgate.server.http;

import java.net.InetAddress;
import java.util.Map;

/**
 * One parsed HTTP/1.1 request.
 *
 * @param path    the request target's path, not decoded
 * @param query   the raw query string after '?', or null
 * @param headers header values by lower-case name (the last one wins for repeated names)
 * @param peer    the address of the client that sent it
 */
public record HttpRequest(String method, String path, String query, Map<String, String> headers, byte[] body,
                          InetAddress peer) {
    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }
}
