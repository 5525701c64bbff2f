package dev.flowgate.testkit.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The resolved address a run connects to, and what it writes in its request line and Host header.
 *
 * <p>This workplace's rule is that load tests only ever hit this machine. {@link #resolve} is the
 * only way to get a target, it refuses any host that does not resolve to loopback addresses only,
 * and the run then connects to the resolved address, never to the name again: a name that resolves
 * differently later (DNS rebinding, an edited hosts file) cannot redirect the load elsewhere.
 */
public final class LoopbackTarget {

    private static final int DEFAULT_HTTP_PORT = 80;

    private final InetSocketAddress address;
    private final String hostHeader;
    private final String path;

    private LoopbackTarget(InetSocketAddress address, String hostHeader, String path) {
        this.address = address;
        this.hostHeader = hostHeader;
        this.path = path;
    }

    /**
     * Resolves the host of a validated {@link LoadOptions#target()} without opening any connection.
     *
     * @throws IllegalArgumentException if the host does not resolve, or resolves to any address that
     *     is not loopback (127.0.0.0/8, ::1)
     */
    public static LoopbackTarget resolve(URI target) {
        String host = target.getHost();
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw notLoopback(host + " (does not resolve)");
        }
        // Every address, not only the first: a name that also resolves elsewhere is not a loopback
        // target, whatever order the resolver happens to return today.
        for (InetAddress address : addresses) {
            if (!address.isLoopbackAddress()) {
                throw notLoopback(host);
            }
        }
        int port = target.getPort() == -1 ? DEFAULT_HTTP_PORT : target.getPort();
        String hostHeader = target.getPort() == -1 ? host : host + ':' + port;
        String basePath = target.getRawPath() == null ? "" : target.getRawPath();
        if (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        return new LoopbackTarget(new InetSocketAddress(addresses[0], port), hostHeader, basePath + "/payments");
    }

    private static IllegalArgumentException notLoopback(String host) {
        return new IllegalArgumentException("load tests only target loopback addresses: " + host);
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The Host header value; an IPv6 literal keeps its brackets, as HTTP requires. */
    public String hostHeader() {
        return hostHeader;
    }

    /** The request-target of {@code POST}, e.g. {@code /payments}. */
    public String path() {
        return path;
    }
}
