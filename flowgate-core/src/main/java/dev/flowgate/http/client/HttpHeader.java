package dev.flowgate.http.client;

/**
 * One header of a request or an answer, as written on the wire.
 *
 * @throws IllegalArgumentException if the name is not an HTTP token or either part holds a line
 *     break, which would let a value smuggle in a header or a request of its own
 */
public record HttpHeader(String name, String value) {
    public HttpHeader {
        if (name == null || name.isEmpty() || !isToken(name)) {
            throw new IllegalArgumentException("not a header name: " + name);
        }
        if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("header " + name + " has a value with a line break or NUL");
        }
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
