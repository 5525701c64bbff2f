package dev.flowgate.processor;

/**
 * A processor's answer as read off the wire: the status, the few headers the client uses, the body.
 *
 * @param retryAfter the {@code Retry-After} header, or null
 */
record RawResponse(int status, String retryAfter, byte[] body) {
}
