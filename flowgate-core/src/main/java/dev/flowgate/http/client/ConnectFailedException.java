package dev.flowgate.http.client;

import java.io.IOException;

/**
 * The connection could not be established (refused, unreachable, TLS failed, no answer to the
 * handshake): nothing of the request was sent, so the server cannot have acted on it.
 */
public final class ConnectFailedException extends IOException {
    ConnectFailedException(String message, IOException cause) {
        super(message, cause);
    }
}
