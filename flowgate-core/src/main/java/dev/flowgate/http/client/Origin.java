package dev.flowgate.http.client;

import java.net.URI;

/** Where connections go: what a pool of keep-alive connections is kept for. */
record Origin(boolean tls, String host, int port) {
    static Origin of(URI uri) {
        boolean tls = "https".equals(uri.getScheme());
        return new Origin(tls, uri.getHost(), uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80);
    }

    /** The {@code Host} header: the port left out where it is the scheme's. */
    String hostHeader() {
        String name = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return port == (tls ? 443 : 80) ? name : name + ":" + port;
    }

    @Override
    public String toString() {
        return (tls ? "https://" : "http://") + hostHeader();
    }
}
